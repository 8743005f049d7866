import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browseConsent, loopbackRedirect, TestOAuthClient } from '../helpers/mcp-oauth.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let dir: string;
let documents: Server;
let documentOrigin: string;
let enclave: TestServer;
let redirect: Awaited<ReturnType<typeof loopbackRedirect>>;
let cookie: string;
const served = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'enclave-cimd-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  // The client's own web server: it publishes its metadata document at an https URL, which is its client_id.
  documents = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => {
    const document = served.get(request.url ?? '');
    response.writeHead(document ? 200 : 404, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
    response.end(document ? JSON.stringify(document) : '{}');
  });
  await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
  documentOrigin = `https://127.0.0.1:${(documents.address() as AddressInfo).port}`;
  enclave = await startTestServer({ mcp: { allowLoopbackClientMetadata: true, clientMetadataCaFile: cert } });
  redirect = await loopbackRedirect();
  const person = await enclave.createUser();
  cookie = await enclave.signIn(person);
  await enclave.request('POST', '/api/workspaces', { cookie, body: { name: 'Contoso' } });
});

afterAll(async () => {
  await redirect?.close();
  await enclave?.close();
  await new Promise((resolve) => documents?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function publish(path: string, document: Record<string, unknown>): string {
  const url = `${documentOrigin}${path}`;
  served.set(path, { client_id: url, ...document });
  return url;
}

describe('client ID metadata documents', () => {
  it('[AIC-03] an MCP SDK 1.x client named by its metadata document URL completes the flow without registering', async () => {
    const clientId = publish('/oauth/client.json', {
      client_name: 'Metadata Document Client',
      redirect_uris: [redirect.url],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    const client = new TestOAuthClient({ redirectUrl: redirect.url, clientMetadataUrl: clientId });
    const serverUrl = `${enclave.url}/mcp`;
    expect(await auth(client, { serverUrl })).toBe('REDIRECT');
    expect(client.authorizationUrl!.searchParams.get('client_id')).toBe(clientId);
    const consent = await browseConsent(enclave.url, cookie, client.authorizationUrl!, { decision: 'allow' });
    expect(consent.details.client).toMatchObject({ id: clientId, name: 'Metadata Document Client', kind: 'metadata_document' });
    const code = consent.redirectedTo.searchParams.get('code');
    expect(code).toBeTruthy();
    expect(await auth(client, { serverUrl, authorizationCode: code! })).toBe('AUTHORIZED');
    expect(enclave.server.platform.oauth.authenticate(client.tokens()!.access_token)).toMatchObject({ type: 'mcp_client', clientId });
  });

  it('[AIC-03] a document whose client_id is not its own URL, or that asks for a client secret, is refused', async () => {
    const mismatched = publish('/oauth/liar.json', { redirect_uris: [redirect.url], token_endpoint_auth_method: 'none' });
    served.set('/oauth/liar.json', { ...served.get('/oauth/liar.json'), client_id: `${documentOrigin}/oauth/someone-else.json` });
    const secretive = publish('/oauth/secret.json', { redirect_uris: [redirect.url], token_endpoint_auth_method: 'client_secret_basic' });
    for (const clientId of [mismatched, secretive]) {
      const url = new URL(`${enclave.url}/oauth/authorize`);
      url.search = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: redirect.url,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        scope: 'datasets:read',
      }).toString();
      const response = await fetch(url, { redirect: 'manual', headers: { cookie } });
      expect(response.headers.get('location') ?? '').not.toContain('/oauth/interaction/');
      expect(response.headers.get('location') ?? '').not.toContain(redirect.url);
      expect(response.status).toBe(400);
    }
  });
});
