import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

const EXPECTED: Record<string, RegExp> = {
  'strict-transport-security': /^max-age=63072000; includeSubDomains; preload$/,
  'x-content-type-options': /^nosniff$/,
  'x-frame-options': /^DENY$/,
  'referrer-policy': /^strict-origin-when-cross-origin$/,
  'permissions-policy': /^camera=\(\), microphone=\(\), geolocation=\(\), payment=\(\), usb=\(\), interest-cohort=\(\)$/,
};

function expectSecurityHeaders(response: Response, label: string): void {
  for (const [name, pattern] of Object.entries(EXPECTED)) {
    expect(response.headers.get(name), `${label}: ${name}`).toMatch(pattern);
  }
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp, `${label}: CSP`).toContain("default-src 'self'");
  expect(csp, `${label}: CSP`).toContain("script-src 'self'");
  expect(csp, `${label}: CSP`).toContain("frame-ancestors 'none'");
  expect(csp, `${label}: CSP`).toContain("object-src 'none'");
  expect(csp, `${label}: CSP allows no inline script`).not.toMatch(/unsafe-inline|unsafe-eval/);
}

describe('security headers on every route family', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;
  let viewerToken: string;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { perIpPerMinute: 10_000, perActorPerMinute: 10_000 } });
    workspace = await enclave.createWorkspace();
    viewerToken = await enclave.addKey(workspace.id, 'viewer');
  });
  afterAll(() => enclave.close());

  const cases: [string, (e: TestServer, w: TestWorkspace, viewer: string) => Promise<Response>, number][] = [
    ['health check', (e) => e.request('GET', '/healthz'), 200],
    ['security.txt', (e) => e.request('GET', '/.well-known/security.txt'), 200],
    ['OpenAPI document', (e) => e.request('GET', '/api/openapi.json'), 200],
    ['dashboard page', (e) => e.request('GET', '/', { headers: { accept: 'text/html' } }), 200],
    ['dashboard client route', (e) => e.request('GET', '/audit', { headers: { accept: 'text/html' } }), 200],
    ['workspace read', (e, w) => e.request('GET', `/api/w/${w.id}/profile`, { token: w.token }), 200],
    ['workspace write', (e, w) => e.request('PATCH', `/api/w/${w.id}/profile`, { token: w.token, body: { description: 'x' } }), 200],
    ['unauthenticated', (e, w) => e.request('GET', `/api/w/${w.id}/profile`), 401],
    ['bad token', (e, w) => e.request('GET', `/api/w/${w.id}/profile`, { token: 'enk_nope' }), 401],
    ['forbidden', (e, w, viewer) => e.request('GET', `/api/w/${w.id}/audit-events`, { token: viewer }), 403],
    ['validation error', (e, w) => e.request('PATCH', `/api/w/${w.id}/profile`, { token: w.token, body: { extra: 1 } }), 400],
    ['invalid JSON', (e, w) => e.request('PATCH', `/api/w/${w.id}/profile`, { token: w.token, body: '{"description":' }), 400],
    ['unsupported media type', (e, w) => e.request('PATCH', `/api/w/${w.id}/profile`, { token: w.token, body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415],
    ['body too large', (e, w) => e.request('PATCH', `/api/w/${w.id}/profile`, { token: w.token, body: { description: 'x'.repeat(1_100_000) } }), 413],
    ['unknown API route', (e) => e.request('GET', '/api/nothing-here'), 404],
    ['malformed URL', (e) => e.request('GET', '/api/w/%E0%A4%A/profile'), 400],
    ['unknown workspace', (e, w) => e.request('GET', '/api/w/ws_00000000000000000000000000000000/profile', { token: w.token }), 404],
    ['cross-origin refusal', (e, w) => e.request('PATCH', `/api/w/${w.id}/profile`, { token: w.token, body: { description: 'x' }, headers: { origin: 'https://evil.example' } }), 403],
  ];

  for (const [label, send, status] of cases) {
    it(`[WEB-01] ${label} (${status}) carries every security header`, async () => {
      const response = await send(enclave, workspace, viewerToken);
      expect(response.status).toBe(status);
      expectSecurityHeaders(response, label);
    });
  }

  it('[WEB-01] static dashboard assets carry every security header', async () => {
    const html = await (await enclave.request('GET', '/', { headers: { accept: 'text/html' } })).text();
    const asset = /(?:src|href)="(\/assets\/[^"]+)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const response = await enclave.request('GET', asset!);
    expect(response.status).toBe(200);
    expectSecurityHeaders(response, 'asset');
  });

  it('[WEB-01] a rate-limited response carries every security header', async () => {
    const limited = await startTestServer({ rateLimit: { perIpPerMinute: 1, perActorPerMinute: 100 } });
    try {
      await limited.request('GET', '/healthz');
      const response = await limited.request('GET', '/healthz');
      expect(response.status).toBe(429);
      expectSecurityHeaders(response, 'rate limited');
    } finally {
      await limited.close();
    }
  });

  it('[WEB-01] API responses are not cacheable', async () => {
    const response = await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: workspace.token });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('[OPS-04] security.txt follows RFC 9116 with a contact, a future expiry and a policy', async () => {
    const text = await (await enclave.request('GET', '/.well-known/security.txt')).text();
    expect(text).toMatch(/^Contact: (mailto:|https:)/m);
    const expires = /^Expires: (.+)$/m.exec(text)?.[1];
    expect(Date.parse(expires!)).toBeGreaterThan(Date.now());
    const policy = /^Policy: (.+)$/m.exec(text)?.[1];
    const policyResponse = await fetch(policy!);
    expect(policyResponse.status).toBe(200);
    expect(await policyResponse.text()).toMatch(/vulnerab/i);
  });
});
