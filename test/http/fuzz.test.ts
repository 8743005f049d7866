import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

interface Operation {
  method: string;
  path: string;
}

/** Every route in the OpenAPI document, so a new route is fuzzed without anyone remembering to add it. */
async function operations(enclave: TestServer): Promise<Operation[]> {
  const doc = (await (await enclave.request('GET', '/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).filter((m) => m !== 'parameters').map((method) => ({ method: method.toUpperCase(), path })),
  );
}

const LEAKS = [/\bat .+\.(ts|js):\d+/, /SQLITE_|sqlite_master|SELECT .* FROM/i, /\/(tmp|work|home|root)\//, /node_modules/, /enk_[A-Za-z0-9_-]{43}/];

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const hostile = fc.oneof(
  fc.string(),
  fc.constantFrom("' OR 1=1 --", '"; DROP TABLE workspace_profile; --', '../../../etc/passwd', '%00', '\u0000', '${7*7}', '<script>alert(1)</script>', 'ws_'.padEnd(35, 'f'), '-1', '1e309', 'NaN'),
);

describe('schema fuzzing of every route', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;
  let routes: Operation[];
  /** SCIM routes (IDN-06) open only to a SCIM token, so they are fuzzed with one. */
  let scimToken: string;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { perIpPerMinute: 1_000_000, perActorPerMinute: 1_000_000 } });
    workspace = await enclave.createWorkspace('Fuzz Co');
    routes = await operations(enclave);
    scimToken = (await enclave.server.platform.scim.tokens.create(workspace.id, { name: 'fuzz' }, { actor: { type: 'operator', id: 'fuzz' } })).token;
  });
  afterAll(() => enclave.close());

  it('[WEB-02] the OpenAPI document lists every workspace route', () => {
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(expect.arrayContaining(['GET /api/w/{workspaceId}/profile', 'PATCH /api/w/{workspaceId}/profile', 'POST /api/w/{workspaceId}/api-keys', 'GET /api/w/{workspaceId}/audit-events']));
  });

  it('[WEB-02] random and hostile params, queries and bodies never yield a 5xx, a stack, SQL, a path or a secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 1000 }),
        fc.oneof(fc.constant(workspace.id), hostile),
        fc.dictionary(fc.string({ maxLength: 12 }), hostile, { maxKeys: 3 }),
        fc.oneof(jsonValue, fc.dictionary(fc.constantFrom('displayName', 'description', 'name', 'role', 'expiresAt', 'extra'), jsonValue), fc.string()),
        fc.boolean(),
        async (pick, workspaceId, query, body, authenticated) => {
          const route = routes[pick % routes.length]!;
          const path = route.path.replace('{workspaceId}', encodeURIComponent(workspaceId)).replace(/\{[^}]+\}/g, (name) => encodeURIComponent(`${name}x`));
          const search = new URLSearchParams(query).toString();
          const response = await enclave.request(route.method, `${path}${search ? `?${search}` : ''}`, {
            ...(authenticated ? { token: route.path.startsWith('/scim/') ? scimToken : workspace.token } : {}),
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
          });
          expect(response.status, `${route.method} ${path}`).toBeLessThan(500);
          const text = await response.text();
          for (const leak of LEAKS) expect(text, `${route.method} ${path}`).not.toMatch(leak);
          if (response.status >= 400 && route.path.startsWith('/scim/')) {
            // SCIM clients get RFC 7644 errors, not Enclave's shape.
            const parsed = JSON.parse(text) as { schemas: string[]; status: string };
            expect(parsed.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
            expect(parsed.status).toBe(String(response.status));
          } else if (response.status >= 400) {
            const parsed = JSON.parse(text) as { error: { code: string; message: string; requestId: string } };
            expect(parsed.error.code).toMatch(/^[a-z_]+$/);
            expect(parsed.error.requestId).toMatch(/^req_/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('[WEB-03] injection payloads in every string field are stored as data and change nothing else', async () => {
    const payloads = ["Robert'); DROP TABLE workspace_profile;--", '" OR ""="', '\'; ATTACH DATABASE \'/tmp/x\' AS x; --'];
    for (const payload of payloads) {
      const response = await enclave.request('PATCH', `/api/w/${workspace.id}/profile`, { token: workspace.token, body: { displayName: payload.slice(0, 100), description: payload } });
      expect(response.status).toBe(200);
      const profile = (await (await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: workspace.token })).json()) as { description: string };
      expect(profile.description).toBe(payload);
      const created = await enclave.request('POST', `/api/w/${workspace.id}/api-keys`, { token: workspace.token, body: { name: payload.slice(0, 100), role: 'viewer' } });
      expect(created.status).toBe(201);
    }
    const verification = (await (await enclave.request('GET', `/api/w/${workspace.id}/audit-events/verification`, { token: workspace.token })).json()) as { ok: boolean };
    expect(verification.ok).toBe(true);
  });
});
