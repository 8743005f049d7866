import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let enclave: TestServer;

beforeAll(async () => {
  enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 100_000, perIpPerMinute: 100_000 } });
});

afterAll(async () => {
  await enclave?.close();
});

const LEAKS = /at \S+ \(|node_modules|\/src\/|SQLITE|sqlite_|stack/i;

async function expectClean(response: Response, what: string): Promise<void> {
  const text = await response.text();
  expect(response.status, `${what}: ${text.slice(0, 200)}`).toBeLessThan(500);
  expect(text, what).not.toMatch(LEAKS);
}

const hostile = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.constantFrom("' OR 1=1 --", '../../etc/passwd', '%00', '\u0000', 'https://127.0.0.1:1/x', 'javascript:alert(1)', 'x'.repeat(5000), '{"a":', '[]', 'null'),
);

describe('OAuth endpoints under hostile input', () => {
  it('[WEB-02] random and hostile token, registration, revocation and authorization requests never yield a 5xx, a stack, SQL or a path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('grant_type', 'code', 'refresh_token', 'client_id', 'redirect_uri', 'code_verifier', 'token', 'resource', 'scope'), hostile), async (fields) => {
        const form = new URLSearchParams(fields);
        for (const path of ['/oauth/token', '/oauth/revoke']) {
          await expectClean(await fetch(`${enclave.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }), `POST ${path}`);
        }
        const authorize = new URL(`${enclave.url}/oauth/authorize`);
        authorize.search = new URLSearchParams({ response_type: 'code', ...fields }).toString();
        await expectClean(await fetch(authorize, { redirect: 'manual' }), 'GET /oauth/authorize');
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostile, fc.json().map((json) => json)), async (body) => {
        await expectClean(await fetch(`${enclave.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }), 'POST /oauth/register');
      }),
      { numRuns: 40 },
    );
    for (const uid of ['x', 'A'.repeat(64), '..%2f..%2f']) {
      await expectClean(await fetch(`${enclave.url}/oauth/interaction/${uid}/details`), 'consent details');
      await expectClean(await fetch(`${enclave.url}/oauth/authorize/${uid}`, { redirect: 'manual' }), 'resume');
    }
  });
});
