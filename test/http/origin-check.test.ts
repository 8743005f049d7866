import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

describe('state-changing requests must come from our own origin', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Origin Co');
  });
  afterAll(() => enclave.close());

  const patch = (headers: Record<string, string>, description: string) =>
    enclave.request('PATCH', `/api/w/${workspace.id}/profile`, { token: workspace.token, body: { description }, headers });
  const description = async () =>
    ((await (await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: workspace.token })).json()) as { description: string }).description;

  it('[WEB-04] a cookie-less cross-origin POST is refused and changes nothing', async () => {
    const before = await description();
    const response = await patch({ origin: 'https://attacker.example' }, 'changed by attacker');
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('cross_origin_refused');
    expect(await description()).toBe(before);
  });

  it('[WEB-04] a request labelled cross-site by the browser is refused even without Origin', async () => {
    const response = await patch({ 'sec-fetch-site': 'cross-site' }, 'changed cross-site');
    expect(response.status).toBe(403);
  });

  it('[WEB-04] the opaque "null" origin is refused', async () => {
    expect((await patch({ origin: 'null' }, 'from a sandboxed frame')).status).toBe(403);
  });

  it('[WEB-04] a request with a cookie must prove its origin', async () => {
    const response = await patch({ cookie: 'session=abc' }, 'cookie without origin');
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('origin_required');
  });

  it('[WEB-04] same-origin requests and non-browser clients are allowed', async () => {
    expect((await patch({ origin: enclave.url }, 'from the dashboard')).status).toBe(200);
    expect(await description()).toBe('from the dashboard');
    expect((await patch({}, 'from a script')).status).toBe(200);
    expect(await description()).toBe('from a script');
  });
});
