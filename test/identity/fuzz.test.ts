import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const LEAKS = [/\bat .+\.(ts|js|mjs):\d+/, /SQLITE_|sqlite_master|SELECT .* FROM/i, /\/(tmp|work|home|root)\//, /node_modules/, /better-auth|kysely/i];

const hostile = fc.oneof(
  fc.string(),
  fc.constantFrom("' OR 1=1 --", '../../../etc/passwd', '%00', '\u0000', '<script>alert(1)</script>', 'ws_'.padEnd(35, 'f'), 'x'.repeat(300), '__proto__'),
);
const fields = fc.constantFrom('email', 'password', 'name', 'role', 'token', 'rememberMe', 'callbackURL', 'emailVerified', '__proto__', 'extra');

describe('schema fuzzing of the identity and member routes with a live session', () => {
  let enclave: TestServer;
  let cookie: string;
  let workspaceId: string;
  let routes: { method: string; path: string }[];

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { perIpPerMinute: 1_000_000, perActorPerMinute: 1_000_000, signInPerIpPerMinute: 1_000_000 } });
    cookie = await enclave.signIn(await enclave.createUser('Fuzzy'));
    workspaceId = ((await (await enclave.request('POST', '/api/workspaces', { cookie, body: { name: 'Fuzz Co' } })).json()) as { id: string }).id;
    const doc = (await (await enclave.request('GET', '/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths)
      .filter(([path]) => /^\/api\/(auth|workspaces|w\/\{workspaceId\}\/members)/.test(path) && path !== '/api/auth/sign-out')
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
  });
  afterAll(() => enclave.close());

  it('[WEB-02] every identity and member route is in the OpenAPI document', () => {
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/auth/sign-up/email',
        'POST /api/auth/sign-in/email',
        'GET /api/auth/sessions',
        'DELETE /api/auth/sessions/{sessionId}',
        'GET /api/workspaces',
        'PATCH /api/w/{workspaceId}/members/{userId}',
      ]),
    );
  });

  it('[WEB-02] random and hostile params and bodies never yield a 5xx, a stack, SQL, a path or the library behind it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 1000 }),
        fc.oneof(fc.constant(workspaceId), hostile),
        hostile,
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fields, fc.oneof(hostile, fc.jsonValue({ maxDepth: 2 }))), fc.string()),
        async (pick, workspace, id, body) => {
          const route = routes[pick % routes.length]!;
          const path = route.path.replace('{workspaceId}', encodeURIComponent(workspace)).replace(/\{[^}]+\}/g, () => encodeURIComponent(id));
          const response = await enclave.request(route.method, path, {
            cookie,
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
          });
          expect(response.status, `${route.method} ${path}`).toBeLessThan(500);
          const text = await response.text();
          for (const leak of LEAKS) expect(text, `${route.method} ${path}`).not.toMatch(leak);
          if (response.status >= 400) {
            const parsed = JSON.parse(text) as { error: { code: string; requestId: string } };
            expect(parsed.error.code).toMatch(/^[a-z_]+$/);
            expect(parsed.error.requestId).toMatch(/^req_/);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect((await enclave.request('GET', `/api/w/${workspaceId}/members`, { cookie })).status).toBe(200);
  });
});
