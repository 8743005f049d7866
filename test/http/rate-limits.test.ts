import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

describe('rate limits', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { perIpPerMinute: 1000, perActorPerMinute: 5 } });
    workspace = await enclave.createWorkspace('Limits Co');
  });
  afterAll(() => enclave.close());

  it('[WEB-05] the N+1th request of an actor gets 429 with Retry-After, and another actor is unaffected', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: workspace.token })).status).toBe(200);
    }
    const limited = await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: workspace.token });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await limited.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.requestId).toMatch(/^req_/);
    const otherKey = await enclave.addKey(workspace.id, 'viewer');
    expect((await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: otherKey })).status).toBe(200);
  });

  it('[WEB-05] the N+1th request from one IP gets 429 with Retry-After, on known and unknown routes', async () => {
    const byIp = await startTestServer({ rateLimit: { perIpPerMinute: 3, perActorPerMinute: 100 } });
    try {
      expect((await byIp.request('GET', '/healthz')).status).toBe(200);
      expect((await byIp.request('GET', '/no-such-route')).status).toBe(404);
      expect((await byIp.request('GET', '/healthz')).status).toBe(200);
      for (const path of ['/healthz', '/no-such-route']) {
        const response = await byIp.request('GET', path);
        expect(response.status).toBe(429);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    } finally {
      await byIp.close();
    }
  });
});
