import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMigrations } from 'better-auth/db/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authOptions } from '../../src/identity/auth.ts';
import { solvedChallenge } from '../helpers/proof-of-work.ts';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { controlEvents } from './audit.ts';

describe('email and password sign-in', () => {
  let enclave: TestServer;
  let ada: TestUser;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1000 } });
    ada = await enclave.createUser('Ada');
  });
  afterAll(() => enclave.close());

  const signIn = (email: string, password: string, headers: Record<string, string> = {}) =>
    enclave.request('POST', '/api/auth/sign-in/email', { body: { email, password }, headers: { origin: enclave.url, ...headers } });

  it('[IDN-01] the stored account holds a salted scrypt hash, never the password; a wrong password fails and the right one works', async () => {
    const db = enclave.server.platform.controlDb;
    const account = db.prepare('SELECT "password" FROM "account" WHERE "userId" = ? AND "providerId" = ?').get(ada.id, 'credential') as { password: string };
    expect(account.password).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
    expect(account.password).not.toContain(ada.password);
    const everyColumn = JSON.stringify([
      db.prepare('SELECT * FROM "user" WHERE "id" = ?').all(ada.id),
      db.prepare('SELECT * FROM "account" WHERE "userId" = ?').all(ada.id),
    ]);
    expect(everyColumn).not.toContain(ada.password);
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(join(enclave.dataDir, 'control', 'control.db')).includes(Buffer.from(ada.password))).toBe(false);

    expect((await signIn(ada.email, `${ada.password}x`)).status).toBe(401);
    const ok = await signIn(ada.email.toUpperCase(), ada.password);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ user: { id: ada.id, email: ada.email, name: 'Ada', emailVerified: true, createdAt: expect.any(String) } });
    expect(enclave.logs.join('\n')).not.toContain(ada.password);
  });

  it('[IDN-01] an unknown address and a wrong password get the same answer (ASVS 6.3.8)', async () => {
    const answers = [];
    for (const [email, password] of [[ada.email, 'not-her-password-at-all'], ['nobody-here@people.example', 'not-her-password-at-all']] as const) {
      const response = await signIn(email, password);
      const body = (await response.json()) as { error: { requestId: string } };
      answers.push({ status: response.status, cookies: response.headers.getSetCookie(), body: { ...body, error: { ...body.error, requestId: 'x' } } });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toMatchObject({ status: 401, cookies: [], body: { error: { code: 'invalid_credentials' } } });
  });

  it('[WEB-01] answers of the sign-in bridge carry the security headers, a request id and no caching', async () => {
    for (const response of [await signIn(ada.email, ada.password), await signIn(ada.email, 'not-her-password-at-all')]) {
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('[IDN-01] the response never carries the session token, which only the HttpOnly cookie holds', async () => {
    const response = await signIn(ada.email, ada.password);
    const token = decodeURIComponent(response.headers.getSetCookie()[0]!.split(';')[0]!.split('=')[1]!).split('.')[0]!;
    expect(token.length).toBeGreaterThan(20);
    expect(await response.text()).not.toContain(token);
    const session = await enclave.request('GET', '/api/auth/session', { cookie: response.headers.getSetCookie()[0]!.split(';')[0]! });
    expect(session.status).toBe(200);
    expect(await session.text()).not.toContain(token);
  });

  it('[LOG-01] sign-ins are audited in the control log; a failure names a digest of the address, never whether it exists', async () => {
    await signIn(ada.email, ada.password, { 'user-agent': 'audit-check/2.0' });
    await signIn(ada.email, 'wrong-password-again');
    await signIn('ghost@people.example', 'wrong-password-again');
    const events = controlEvents(enclave).filter((event) => event.action === 'user.sign_in');
    const success = events.findLast((event) => event.outcome === 'success');
    expect(success).toMatchObject({ actor_type: 'user', actor_id: ada.id, target_id: ada.id, ip: '127.0.0.1', user_agent: 'audit-check/2.0' });
    const [wrong, unknown] = events.filter((event) => event.outcome === 'failure').slice(-2);
    expect(wrong).toMatchObject({ actor_type: 'system', target_type: 'email_digest' });
    expect({ ...wrong, seq: 0, id: '', occurred_at: '', target_id: '', request_id: '', prev_hash: '', hash: '' }).toEqual({
      ...unknown,
      seq: 0,
      id: '',
      occurred_at: '',
      target_id: '',
      request_id: '',
      prev_hash: '',
      hash: '',
    });
    expect(JSON.stringify(events)).not.toContain(ada.email);
  });

  it('[IDN-01] signing up with a taken address answers exactly like a new one, and the new account can sign in once verified', async () => {
    const answer = async (email: string) => {
      const response = await enclave.request('POST', '/api/auth/sign-up/email', {
        body: { email, password: 'a long enough passphrase', name: 'Someone', altcha: await solvedChallenge(enclave.url) },
        headers: { origin: enclave.url },
      });
      return { status: response.status, cookies: response.headers.getSetCookie(), body: await response.json() };
    };
    const taken = await answer(ada.email);
    const fresh = await answer('newcomer@people.example');
    expect(taken).toEqual(fresh);
    expect(fresh.status).toBe(202);
    // IDN-01: the new account signs in once the link from its verification mail (here in the dev outbox) is followed.
    expect((await signIn('newcomer@people.example', 'a long enough passphrase')).status).toBe(403);
    await expect.poll(() => enclave.server.platform.devOutbox!.list().find((mail) => mail.to === 'newcomer@people.example')).toBeDefined();
    const mail = enclave.server.platform.devOutbox!.list().find((candidate) => candidate.to === 'newcomer@people.example')!;
    const link = /http:\/\/\S+\/api\/auth\/verify-email\?token=\S+/.exec(mail.text)![0];
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(303);
    expect((await signIn('newcomer@people.example', 'a long enough passphrase')).status).toBe(200);
    expect((await signIn(ada.email, 'a long enough passphrase')).status).toBe(401);
  });

  it('[WEB-02] bad sign-up and sign-in bodies get a specific 400 and create nothing', async () => {
    const users = () => (enclave.server.platform.controlDb.prepare('SELECT count(*) AS n FROM "user"').get() as { n: number }).n;
    const before = users();
    const bodies: [string, unknown][] = [
      ['/sign-up/email', { email: 'short@people.example', password: 'too-short', name: 'X' }],
      ['/sign-up/email', { email: 'not-an-email', password: 'a long enough passphrase', name: 'X' }],
      ['/sign-up/email', { email: 'extra@people.example', password: 'a long enough passphrase', name: 'X', emailVerified: true }],
      ['/sign-up/email', { email: 'noname@people.example', password: 'a long enough passphrase', name: '' }],
      ['/sign-in/email', { email: ada.email }],
      ['/sign-in/email', { email: ada.email, password: ada.password, rememberMe: false }],
      ['/sign-in/email', { email: ada.email, password: 'x'.repeat(129) }],
    ];
    for (const [path, body] of bodies) {
      const response = await enclave.request('POST', `/api/auth${path}`, { body, headers: { origin: enclave.url } });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    expect(users()).toBe(before);
  });

  it('[WEB-04] a sign-in from another origin is refused before it reaches the password check', async () => {
    const response = await signIn(ada.email, ada.password, { origin: 'https://attacker.example' });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('better-auth finds every table and column it needs in the control database, created by our migrations', async () => {
    const platform = enclave.server.platform;
    const plan = await getMigrations(
      authOptions({
        db: platform.controlDb,
        secret: 'x'.repeat(64),
        baseURL: enclave.url,
        cookie: platform.sessions.cookie,
        clientIpHeader: 'x-enclave-client-ip',
        idleTimeoutSeconds: 1800,
        allowSignUp: true,
        log: () => undefined,
      }),
      { throwOnUnsafe: false },
    );
    expect(plan.toBeCreated).toEqual([]);
    expect(plan.toBeAdded).toEqual([]);
    expect(plan.toBeAddedIndexes).toEqual([]);
    expect(plan.schemaProblems).toEqual([]);
  });
});

describe('sign-up closed by the operator', () => {
  it('[IDN-01] sign-up answers 403 and creates nothing; operator-made accounts still sign in', async () => {
    const enclave = await startTestServer({ allowSignUp: false });
    try {
      const response = await enclave.request('POST', '/api/auth/sign-up/email', {
        body: { email: 'walk-in@people.example', password: 'a long enough passphrase', name: 'Walk In', altcha: await solvedChallenge(enclave.url) },
        headers: { origin: enclave.url },
      });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('sign_up_disabled');
      expect(enclave.server.platform.identity.userByEmail('walk-in@people.example')).toBeUndefined();
      const user = await enclave.createUser();
      expect(await enclave.signIn(user)).toMatch(/^enclave_session=/);
    } finally {
      await enclave.close();
    }
  });
});

describe('sign-in attempts per IP', () => {
  it('[WEB-05] the N+1th sign-in from one IP gets 429 with Retry-After, while other routes still answer', async () => {
    const enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 3 } });
    try {
      const attempt = () =>
        enclave.request('POST', '/api/auth/sign-in/email', { body: { email: 'x@people.example', password: 'guess-guess-guess' }, headers: { origin: enclave.url } });
      for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
      const limited = await attempt();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
      expect((await enclave.request('GET', '/healthz')).status).toBe(200);
    } finally {
      await enclave.close();
    }
  });
});
