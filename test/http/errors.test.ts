import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: { location: string; path: string; message: string }[] };
}

describe('errors are specific and reveal nothing', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Errors Co');
  });
  afterAll(() => enclave.close());

  it('[WEB-02] unknown fields are rejected with the field named, and nothing changes', async () => {
    const before = await (await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: workspace.token })).json();
    const response = await enclave.request('PATCH', `/api/w/${workspace.id}/profile`, { token: workspace.token, body: { description: 'new', isAdmin: true } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details?.[0]).toMatchObject({ location: 'body' });
    expect(JSON.stringify(body.error.details)).toContain('isAdmin');
    expect(await (await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: workspace.token })).json()).toEqual(before);
  });

  it('[WEB-08] every error has the documented shape with the request id echoed in a header', async () => {
    const response = await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: 'enk_bogus' });
    const body = (await response.json()) as ErrorBody;
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatchObject({ code: 'invalid_token', message: expect.any(String) });
    expect(body.error.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('[WEB-08] malformed input never produces a stack trace, SQL or a file path', async () => {
    const probes: [string, string, string, Record<string, string>?][] = [
      ['PATCH', `/api/w/${workspace.id}/profile`, '{"description":'],
      ['PATCH', `/api/w/${workspace.id}/profile`, '[]'],
      ['PATCH', `/api/w/${workspace.id}/profile`, 'null'],
      ['PATCH', `/api/w/${workspace.id}/profile`, '{"description": 1}'],
      ['PATCH', `/api/w/${workspace.id}/profile`, '{}', { 'content-type': 'application/json; charset=bogus' }],
      ['GET', `/api/w/${workspace.id}/audit-events?limit=-5`, ''],
      ['GET', `/api/w/${workspace.id}/audit-events?after=1e400`, ''],
      ['GET', '/api/w/%E0%A4%A/profile', ''],
      ['DELETE', `/api/w/${workspace.id}/api-keys/../../profile`, ''],
    ];
    for (const [method, path, body, headers] of probes) {
      const response = await enclave.request(method, path, { token: workspace.token, ...(body ? { body } : {}), ...(headers ? { headers } : {}) });
      expect(response.status, `${method} ${path} ${body}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${method} ${path} ${body}`).toBeLessThan(500);
      const text = await response.text();
      expect(text).not.toMatch(/\bat .+:\d+:\d+|SQLITE|SELECT|\/tmp\/|node_modules|\.ts\b/);
      expect((JSON.parse(text) as ErrorBody).error.code).toMatch(/^[a-z_]+$/);
    }
  });
});
