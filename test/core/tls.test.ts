import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

function handshake(port: number, options: ConnectionOptions): Promise<{ protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('Enclave terminating TLS itself', () => {
  let enclave: TestServer;
  let port: number;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    enclave = await startTestServer({ tlsCert: cert, tlsKey: key });
    port = enclave.server.port;
  });
  afterAll(() => enclave.close());

  it('[CRY-06] TLS 1.3 is preferred', async () => {
    expect((await handshake(port, {})).protocol).toBe('TLSv1.3');
  });

  it('[CRY-06] TLS 1.2 is accepted only with forward-secret AEAD suites', async () => {
    const result = await handshake(port, { maxVersion: 'TLSv1.2' });
    expect(result.protocol).toBe('TLSv1.2');
    expect(result.cipher).toMatch(/^ECDHE-.*(GCM|CHACHA20)/);
    await expect(handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-SHA:AES128-GCM-SHA256' })).rejects.toThrow();
  });

  it('[CRY-06] TLS 1.1 and older are refused', async () => {
    await expect(handshake(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow();
  });

  it('[CRY-06] the origin is https and the CSP upgrades insecure requests', async () => {
    expect(enclave.url).toMatch(/^https:\/\//);
    const response = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response).toMatch(/content-security-policy: [^\r]*upgrade-insecure-requests/i);
  });
});
