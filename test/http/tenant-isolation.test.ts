import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

describe('a key of workspace A never reaches workspace B', () => {
  let enclave: TestServer;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let bKeyId: string;

  beforeAll(async () => {
    enclave = await startTestServer();
    a = await enclave.createWorkspace('Alpha');
    b = await enclave.createWorkspace('Beta');
    await enclave.request('PATCH', `/api/w/${b.id}/profile`, { token: b.token, body: { description: 'beta secret plans' } });
    bKeyId = enclave.server.platform.apiKeys.list(b.id)[0]!.id;
  });
  afterAll(() => enclave.close());

  it('[ACC-03] every workspace route answers 404 for another workspace id in the path, and B is unchanged', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', ''],
      ['GET', '/profile'],
      ['PATCH', '/profile', { description: 'overwritten by A' }],
      ['GET', '/api-keys'],
      ['POST', '/api-keys', { name: 'backdoor', role: 'owner' }],
      ['DELETE', `/api-keys/${bKeyId}`],
      ['GET', '/audit-events'],
      ['GET', '/audit-events/verification'],
    ];
    for (const [method, path, body] of routes) {
      const response = await enclave.request(method, `/api/w/${b.id}${path}`, { token: a.token, body });
      expect(response.status, `${method} ${path}`).toBe(404);
      const text = await response.text();
      expect(text).not.toContain('beta secret plans');
      expect(text).not.toContain('Beta');
    }
    const profile = (await (await enclave.request('GET', `/api/w/${b.id}/profile`, { token: b.token })).json()) as { description: string };
    expect(profile.description).toBe('beta secret plans');
    expect(enclave.server.platform.apiKeys.list(b.id).every((k) => k.revokedAt === null && k.name !== 'backdoor')).toBe(true);
  });

  it('[ACC-03] a workspace id in the body or query is ignored in favour of the key and path', async () => {
    const response = await enclave.request('PATCH', `/api/w/${a.id}/profile?workspaceId=${b.id}`, {
      token: a.token,
      body: { description: 'alpha only', workspaceId: b.id },
    });
    expect(response.status).toBe(400);
    const viaQuery = await enclave.request('GET', `/api/w/${a.id}/audit-events?workspaceId=${b.id}`, { token: a.token });
    expect(viaQuery.status).toBe(400);
    const profile = (await (await enclave.request('GET', `/api/w/${b.id}/profile`, { token: b.token })).json()) as { description: string };
    expect(profile.description).toBe('beta secret plans');
  });

  it("[ACC-03] A's audit cursor cannot page into B's events", async () => {
    const response = await enclave.request('GET', `/api/w/${a.id}/audit-events?after=0&limit=1000`, { token: a.token });
    const { events } = (await response.json()) as { events: { target: { id: string } | null }[] };
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.target?.id !== b.id)).toBe(true);
  });

  it('[ACC-03] path tricks never open a file outside the workspace layout', async () => {
    for (const id of ['..', '..%2F..%2Fcontrol', 'ws_../../control', `${b.id}%00`, 'ws_ZZZZ']) {
      const response = await enclave.request('GET', `/api/w/${id}/profile`, { token: a.token });
      expect([400, 404]).toContain(response.status);
    }
  });
});
