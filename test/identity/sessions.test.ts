import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiePair, startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { controlEvents } from './audit.ts';

/** Follows Set-Cookie like a browser: the latest session cookie replaces the one before. */
class Browser {
  readonly enclave: TestServer;
  cookie: string;
  constructor(enclave: TestServer, cookie: string) {
    this.enclave = enclave;
    this.cookie = cookie;
  }
  async get(path: string): Promise<Response> {
    const response = await this.enclave.request('GET', path, { cookie: this.cookie });
    const line = response.headers.getSetCookie().find((candidate) => candidate.startsWith('enclave_session='));
    if (line) this.cookie = cookiePair(line);
    return response;
  }
}

async function ownWorkspace(enclave: TestServer, cookie: string): Promise<string> {
  const response = await enclave.request('POST', '/api/workspaces', { cookie, body: { name: 'Session Co' } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

const ATTRIBUTES = /^enclave_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/;

describe('sessions over plain HTTP', () => {
  let enclave: TestServer;
  let ada: TestUser;

  beforeAll(async () => {
    enclave = await startTestServer({
      rateLimit: { signInPerIpPerMinute: 1000 },
      sessions: { rotationSeconds: 2, rotationGraceSeconds: 1, idleTimeoutSeconds: 4, absoluteTimeoutSeconds: 60 },
    });
    ada = await enclave.createUser('Ada');
  });
  afterAll(() => enclave.close());

  it('[SES-02] the session cookie is HttpOnly, SameSite=Lax, Path=/ and host-only, and not Secure over plain HTTP', async () => {
    const response = await enclave.request('POST', '/api/auth/sign-in/email', {
      body: { email: ada.email, password: ada.password },
      headers: { origin: enclave.url },
    });
    const lines = response.headers.getSetCookie();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(ATTRIBUTES);
    expect(lines[0]).toContain('Max-Age=4;');
    expect(lines[0]).not.toMatch(/domain=|secure/i);
  });

  it('[SES-01] once the rotation interval has passed, a request gets a new token; the old one works through the grace period, then fails', async () => {
    const first = await enclave.signIn(ada);
    const workspaceId = await ownWorkspace(enclave, first);
    const browser = new Browser(enclave, first);
    const fresh = await browser.get(`/api/w/${workspaceId}/profile`);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.getSetCookie()).toEqual([]);
    const sessionId = ((await (await browser.get('/api/auth/session')).json()) as { session: { id: string } }).session.id;

    await sleep(2_100);
    const rotating = await browser.get(`/api/w/${workspaceId}/profile`);
    expect(rotating.status).toBe(200);
    expect(rotating.headers.getSetCookie()[0]).toMatch(ATTRIBUTES);
    const second = browser.cookie;
    expect(second).not.toBe(first);
    const inFlight = await enclave.request('GET', `/api/w/${workspaceId}/profile`, { cookie: first });
    expect(inFlight.status).toBe(200);
    expect(inFlight.headers.getSetCookie()).toEqual([]);
    const current = (await (await browser.get('/api/auth/session')).json()) as { session: { id: string } };
    expect(current.session.id).toBe(sessionId);

    await sleep(1_100);
    expect((await enclave.request('GET', `/api/w/${workspaceId}/profile`, { cookie: first })).status).toBe(401);
    expect((await browser.get(`/api/w/${workspaceId}/profile`)).status).toBe(200);
    expect(browser.cookie).toBe(second);
  });

  it('[CRY-02] the session table holds only SHA-256 hashes of session tokens, before and after rotation', async () => {
    const tokenOf = (cookie: string) => decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1)).split('.')[0]!;
    const first = await enclave.signIn(ada);
    const workspaceId = await ownWorkspace(enclave, first);
    const stored = () => enclave.server.platform.controlDb.prepare('SELECT "token", "previousToken" FROM "session"').all() as { token: string; previousToken: string | null }[];
    const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
    const firstToken = tokenOf(first);
    expect(firstToken.length).toBeGreaterThanOrEqual(32);
    expect(JSON.stringify(stored())).not.toContain(firstToken);
    expect(stored().some((row) => row.token === sha256(firstToken))).toBe(true);
    const browser = new Browser(enclave, first);
    await sleep(2_100);
    expect((await browser.get(`/api/w/${workspaceId}/profile`)).status).toBe(200);
    const secondToken = tokenOf(browser.cookie);
    expect(secondToken).not.toBe(firstToken);
    const rows = JSON.stringify(stored());
    expect(rows).not.toContain(firstToken);
    expect(rows).not.toContain(secondToken);
    expect(stored().some((row) => row.token === sha256(secondToken) && row.previousToken === sha256(firstToken))).toBe(true);
  });

  it('[SES-01] an idle session expires after the idle timeout, while one in use stays alive past it', async () => {
    const idle = await enclave.signIn(ada);
    const busy = new Browser(enclave, await enclave.signIn(ada));
    for (let elapsed = 0; elapsed < 5_000; elapsed += 1_000) {
      await sleep(1_000);
      expect((await busy.get('/api/auth/session')).status).toBe(200);
    }
    const idleAnswer = await enclave.request('GET', '/api/auth/session', { cookie: idle });
    expect(idleAnswer.status).toBe(401);
    expect((await busy.get('/api/auth/session')).status).toBe(200);
  });

  it('[SES-03] after sign-out the old cookie gets 401, and so does the token it replaced moments before', async () => {
    const browser = new Browser(enclave, await enclave.signIn(ada));
    const replaced = browser.cookie;
    const workspaceId = await ownWorkspace(enclave, browser.cookie);
    await sleep(2_100);
    await browser.get(`/api/w/${workspaceId}/profile`);
    expect(browser.cookie).not.toBe(replaced);
    const signedOut = await enclave.request('POST', '/api/auth/sign-out', { cookie: browser.cookie });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.getSetCookie()).toEqual(['enclave_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
    for (const cookie of [browser.cookie, replaced]) {
      const response = await enclave.request('GET', `/api/w/${workspaceId}/profile`, { cookie });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
    expect(controlEvents(enclave).some((event) => event.action === 'session.sign_out' && event.actor_id === ada.id)).toBe(true);
  });

  it('[SES-04] a person lists their sessions with device, IP, created and last seen, and ending session B from session A makes B fail', async () => {
    const a = await enclave.signIn(ada, { 'user-agent': 'Laptop/1.0' });
    const b = await enclave.signIn(ada, { 'user-agent': 'Phone/2.0' });
    const workspaceId = await ownWorkspace(enclave, a);
    await enclave.request('GET', `/api/w/${workspaceId}/profile`, { cookie: b });
    const listing = await enclave.request('GET', '/api/auth/sessions', { cookie: a });
    expect(listing.status).toBe(200);
    const { sessions } = (await listing.json()) as { sessions: { id: string; userAgent: string; ipAddress: string; createdAt: string; lastSeenAt: string; current: boolean }[] };
    const laptop = sessions.find((session) => session.userAgent === 'Laptop/1.0');
    const phone = sessions.find((session) => session.userAgent === 'Phone/2.0');
    expect(laptop).toMatchObject({ ipAddress: '127.0.0.1', current: true, createdAt: expect.any(String), lastSeenAt: expect.any(String) });
    expect(phone).toMatchObject({ ipAddress: '127.0.0.1', current: false });
    expect(sessions.filter((session) => session.current)).toHaveLength(1);

    const ended = await enclave.request('DELETE', `/api/auth/sessions/${phone!.id}`, { cookie: a });
    expect(ended.status).toBe(204);
    expect(ended.headers.getSetCookie()).toEqual([]);
    expect((await enclave.request('GET', `/api/w/${workspaceId}/profile`, { cookie: b })).status).toBe(401);
    expect((await enclave.request('GET', `/api/w/${workspaceId}/profile`, { cookie: a })).status).toBe(200);
    const audited = controlEvents(enclave).find((event) => event.action === 'session.revoke' && event.target_id === phone!.id);
    expect(audited).toMatchObject({ actor_type: 'user', actor_id: ada.id, outcome: 'success' });

    const own = await enclave.request('DELETE', `/api/auth/sessions/${laptop!.id}`, { cookie: a });
    expect(own.status).toBe(204);
    expect(own.headers.getSetCookie()).toEqual(['enclave_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
    expect((await enclave.request('GET', `/api/w/${workspaceId}/profile`, { cookie: a })).status).toBe(401);
  });

  it("[SES-04] nobody can end another person's session, and ending the others keeps only the current one", async () => {
    const grace = await enclave.createUser('Grace');
    const graceCookie = await enclave.signIn(grace);
    const graceSession = ((await (await enclave.request('GET', '/api/auth/session', { cookie: graceCookie })).json()) as { session: { id: string } }).session.id;
    const a = await enclave.signIn(ada);
    const other = await enclave.request('DELETE', `/api/auth/sessions/${graceSession}`, { cookie: a });
    expect(other.status).toBe(404);
    expect((await enclave.request('GET', '/api/auth/session', { cookie: graceCookie })).status).toBe(200);

    const b = await enclave.signIn(ada);
    const revoked = await enclave.request('POST', '/api/auth/sessions/revoke-others', { cookie: a });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { ended: number }).ended).toBeGreaterThan(0);
    expect((await enclave.request('GET', '/api/auth/session', { cookie: b })).status).toBe(401);
    expect((await enclave.request('GET', '/api/auth/session', { cookie: a })).status).toBe(200);
    expect((await enclave.request('GET', '/api/auth/session', { cookie: graceCookie })).status).toBe(200);
  });

  it('[SES-04] session routes need a signed-in person: 401 without a session, 403 for an API key, 400 for a malformed id', async () => {
    expect((await enclave.request('GET', '/api/auth/sessions')).status).toBe(401);
    const workspace = await enclave.createWorkspace('Keys Only');
    const asKey = await enclave.request('GET', '/api/auth/sessions', { token: workspace.token });
    expect(asKey.status).toBe(403);
    expect(((await asKey.json()) as { error: { code: string } }).error.code).toBe('user_session_required');
    const a = await enclave.signIn(ada);
    expect((await enclave.request('DELETE', '/api/auth/sessions/..%2F..%2Fetc', { cookie: a })).status).toBe(400);
  });

  it('[SES-03] a forged, tampered or foreign cookie is anonymous: 401 on a workspace route, and no error page', async () => {
    const real = await enclave.signIn(ada);
    const workspaceId = await ownWorkspace(enclave, real);
    const [name, value] = real.split('=') as [string, string];
    const [token, signature] = decodeURIComponent(value).split('.') as [string, string];
    const forged = [
      `${name}=${encodeURIComponent(`${token}x.${signature}`)}`,
      `${name}=${encodeURIComponent(`${token}.${'A'.repeat(43)}=`)}`,
      `${name}=${token}`,
      `${name}=%E0%A4%A`,
      `__Host-enclave_session=${value}`,
    ];
    for (const cookie of forged) {
      const response = await enclave.request('GET', `/api/w/${workspaceId}/profile`, { cookie });
      expect(response.status, cookie).toBe(401);
    }
    expect((await enclave.request('GET', `/api/w/${workspaceId}/profile`, { cookie: real })).status).toBe(200);
  });
});

describe('session lifetime limits', () => {
  it('[SES-05] the absolute lifetime from configuration ends even a session in constant use', async () => {
    const enclave = await startTestServer({ sessions: { rotationSeconds: 2, rotationGraceSeconds: 1, idleTimeoutSeconds: 3, absoluteTimeoutSeconds: 5 } });
    try {
      const browser = new Browser(enclave, await enclave.signIn(await enclave.createUser()));
      const started = Date.now();
      while (Date.now() - started < 4_000) {
        expect((await browser.get('/api/auth/session')).status).toBe(200);
        await sleep(700);
      }
      await sleep(Math.max(0, 5_200 - (Date.now() - started)));
      expect((await browser.get('/api/auth/session')).status).toBe(401);
    } finally {
      await enclave.close();
    }
  });

  it('[SES-01] the expiry sweeper deletes the rows of sessions that timed out, and keeps live ones', async () => {
    const enclave = await startTestServer({ expirySweepSeconds: 1, sessions: { rotationSeconds: 2, rotationGraceSeconds: 1, idleTimeoutSeconds: 2, absoluteTimeoutSeconds: 60 } });
    try {
      const user = await enclave.createUser();
      await enclave.signIn(user);
      const live = new Browser(enclave, await enclave.signIn(user));
      const rows = () => enclave.server.platform.controlDb.prepare('SELECT count(*) FROM "session" WHERE "userId" = ?').pluck().get(user.id);
      expect(rows()).toBe(2);
      const started = Date.now();
      while (rows() !== 1 && Date.now() - started < 10_000) {
        expect((await live.get('/api/auth/session')).status).toBe(200);
        await sleep(500);
      }
      expect(rows()).toBe(1);
      expect((await live.get('/api/auth/session')).status).toBe(200);
    } finally {
      await enclave.close();
    }
  });

  it('[SES-05] a configuration with an idle timeout past the absolute lifetime is refused', async () => {
    await expect(startTestServer({ sessions: { idleTimeoutSeconds: 7200, absoluteTimeoutSeconds: 3600 } })).rejects.toThrow(/idleTimeoutSeconds: must not exceed absoluteTimeoutSeconds/);
    await expect(startTestServer({ sessions: { rotationSeconds: 30, rotationGraceSeconds: 30 } })).rejects.toThrow(/rotationGraceSeconds/);
  });
});

interface HttpsAnswer {
  status: number;
  setCookies: string[];
  body: string;
}

function httpsCall(url: string, ca: Buffer, options: { method: string; body?: unknown; headers?: Record<string, string> }): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const request = httpsRequest(url, {
      method: options.method,
      ca,
      headers: { ...options.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, setCookies: response.headers['set-cookie'] ?? [], body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('sessions over HTTPS', () => {
  let enclave: TestServer;
  let ca: Buffer;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-session-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    ca = readFileSync(cert);
    enclave = await startTestServer({ tlsCert: cert, tlsKey: key });
  });
  afterAll(() => enclave.close());

  it('[SES-02] over HTTPS the cookie is also Secure and carries the __Host- prefix, and it signs the person in', async () => {
    const user = await enclave.createUser();
    const signedIn = await httpsCall(`${enclave.url}/api/auth/sign-in/email`, ca, {
      method: 'POST',
      body: { email: user.email, password: user.password },
      headers: { origin: enclave.url },
    });
    expect(signedIn.status).toBe(200);
    expect(signedIn.setCookies).toHaveLength(1);
    expect(signedIn.setCookies[0]).toMatch(/^__Host-enclave_session=[^;]+; Max-Age=1800; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(signedIn.setCookies[0]).not.toMatch(/domain=/i);
    const cookie = cookiePair(signedIn.setCookies[0]!);
    const session = await httpsCall(`${enclave.url}/api/auth/session`, ca, { method: 'GET', headers: { cookie } });
    expect(session.status).toBe(200);
    const unprefixed = await httpsCall(`${enclave.url}/api/auth/session`, ca, { method: 'GET', headers: { cookie: cookie.replace('__Host-', '') } });
    expect(unprefixed.status).toBe(401);
    const signedOut = await httpsCall(`${enclave.url}/api/auth/sign-out`, ca, { method: 'POST', headers: { cookie, origin: enclave.url } });
    expect(signedOut.setCookies).toEqual(['__Host-enclave_session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax']);
  });
});
