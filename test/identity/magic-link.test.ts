import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiePair, startTestServer, type TestServer } from '../helpers/server.ts';
import { solvedChallenge } from '../helpers/proof-of-work.ts';
import { linkIn, startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.ts';
import { controlEvents } from './audit.ts';

const TTL_SECONDS = 3;

describe('magic-link sign-in over a real SMTP server', () => {
  let smtp: SmtpCapture;
  let enclave: TestServer;
  const tokens: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    enclave = await startTestServer({
      rateLimit: { signInPerIpPerMinute: 1000, magicLinkPerEmailPerHour: 3 },
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'enclave@mail.example' },
      links: { magicLinkSeconds: TTL_SECONDS },
    });
  });
  afterAll(async () => {
    await enclave.close();
    await smtp.close();
  });

  const ask = async (email: string) =>
    enclave.request('POST', '/api/auth/magic-link', { body: { email, altcha: await solvedChallenge(enclave.url) }, headers: { origin: enclave.url } });
  const follow = (link: string) => fetch(link, { redirect: 'manual' });
  async function mailedLink(email: string): Promise<string> {
    expect((await ask(email)).status).toBe(202);
    const link = linkIn(await smtp.next(email), enclave.url, '/api/auth/magic-link/verify');
    tokens.push(new URL(link).searchParams.get('token')!);
    return link;
  }

  it('[IDN-02] a magic link captured by a real SMTP server started in the test works once, fails on reuse and after expiry', async () => {
    const ada = await enclave.createUser('Ada');
    const link = await mailedLink(ada.email);
    const token = new URL(link).searchParams.get('token')!;
    const db = enclave.server.platform.controlDb;
    expect(JSON.stringify(db.prepare('SELECT * FROM "verification"').all())).not.toContain(token);

    const first = await follow(link);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const lines = first.headers.getSetCookie();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^enclave_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    const cookie = cookiePair(lines[0]!);
    const created = await enclave.request('POST', '/api/workspaces', { cookie, body: { name: 'Linked Co' } });
    expect(created.status).toBe(201);
    const workspaceId = ((await created.json()) as { id: string }).id;
    expect((await enclave.request('GET', `/api/w/${workspaceId}/profile`, { cookie })).status).toBe(200);
    // The session is stored hashed like any other, and the used link is gone.
    const sessionToken = decodeURIComponent(cookie.split('=')[1]!).split('.')[0]!;
    expect(JSON.stringify(db.prepare('SELECT * FROM "session"').all())).not.toContain(sessionToken);
    expect(db.prepare('SELECT count(*) AS n FROM "verification" WHERE "value" = ?').get(ada.id)).toEqual({ n: 0 });

    const reused = await follow(link);
    expect(reused.status).toBe(400);
    expect(reused.headers.getSetCookie()).toEqual([]);
    expect(((await reused.json()) as { error: { code: string; requestId: string } }).error).toMatchObject({ code: 'link_invalid', requestId: expect.stringMatching(/^req_/) });

    const late = await mailedLink(ada.email);
    await sleep(TTL_SECONDS * 1000 + 200);
    const expired = await follow(late);
    expect(expired.status).toBe(400);
    expect(expired.headers.getSetCookie()).toEqual([]);
  });

  it('ASVS 6.3.8: magic-link requests for unknown, unverified and known addresses answer identically; only the known one gets mail', async () => {
    const known = await enclave.createUser();
    const unverified = 'not-yet-verified@people.example';
    await enclave.request('POST', '/api/auth/sign-up/email', {
      body: { email: unverified, password: 'a long enough passphrase', name: 'Later', altcha: await solvedChallenge(enclave.url) },
      headers: { origin: enclave.url },
    });
    await smtp.next(unverified);
    const answers = [];
    for (const email of [known.email, 'nobody-at-all@people.example', unverified]) {
      const response = await ask(email);
      answers.push({ status: response.status, cookies: response.headers.getSetCookie(), body: await response.json() });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[0]!.status).toBe(202);
    tokens.push(new URL(linkIn(await smtp.next(known.email), enclave.url, '/api/auth/magic-link/verify')).searchParams.get('token')!);
    await sleep(300);
    expect(smtp.mails.filter((mail) => mail.to.includes('nobody-at-all@people.example') || (mail.to.includes(unverified) && /sign-in link/.test(mail.subject)))).toEqual([]);
  });

  it('[WEB-05] magic-link requests per address are throttled alike for known and unknown addresses', async () => {
    const known = await enclave.createUser();
    for (const email of [known.email, 'ghost-throttle@people.example']) {
      for (let i = 0; i < 3; i++) expect((await ask(email)).status).toBe(202);
      const limited = await ask(email.toUpperCase());
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    }
    expect((await ask('someone-else@people.example')).status).toBe(202);
  });

  it('[LOG-01] requests and magic-link sign-ins are audited; an unknown address only as a digest', async () => {
    const bea = await enclave.createUser('Bea');
    await follow(await mailedLink(bea.email));
    await ask('stranger@people.example');
    const events = controlEvents(enclave);
    const requests = events.filter((event) => event.action === 'user.magic_link.request');
    expect(requests.find((event) => event.target_id === bea.id)).toMatchObject({ target_type: 'user', outcome: 'success' });
    expect(requests.at(-1)).toMatchObject({ target_type: 'email_digest', actor_type: 'system' });
    const signIn = events.findLast((event) => event.action === 'user.sign_in' && event.outcome === 'success');
    expect(signIn).toMatchObject({ actor_type: 'user', actor_id: bea.id, target_id: bea.id });
    expect(JSON.parse(signIn!.details)).toMatchObject({ method: 'magic_link' });
    expect(JSON.stringify(events)).not.toContain('stranger@people.example');
  });

  it('[LOG-03] no magic-link token appears in any log line', () => {
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    const logs = enclave.logs.join('\n');
    for (const token of tokens) expect(logs).not.toContain(token);
    expect(logs).toContain('/api/auth/magic-link/verify');
  });
});
