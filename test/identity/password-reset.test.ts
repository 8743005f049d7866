import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solvedChallenge } from '../helpers/proof-of-work.ts';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../helpers/smtp-capture.ts';
import { controlEvents } from './audit.ts';

const TTL_SECONDS = 3;

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('password reset over a real SMTP server', () => {
  let smtp: SmtpCapture;
  let enclave: TestServer;
  /** Every secret the tests handled, none of which may reach a log line. */
  const secrets: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    enclave = await startTestServer({
      rateLimit: { signInPerIpPerMinute: 1000, passwordResetPerEmailPerHour: 20 },
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'enclave@mail.example' },
      links: { passwordResetSeconds: TTL_SECONDS },
      signInLockout: { freeFailures: 2, baseSeconds: 3600, maxSeconds: 3600, forgetAfterSeconds: 3600 },
    });
  });
  afterAll(async () => {
    await enclave.close();
    await smtp.close();
  });

  const ask = async (email: string) =>
    enclave.request('POST', '/api/auth/password-reset/request', { body: { email, altcha: await solvedChallenge(enclave.url) }, headers: { origin: enclave.url } });
  const complete = (token: string, password: string) =>
    enclave.request('POST', '/api/auth/password-reset/complete', { body: { token, password }, headers: { origin: enclave.url } });
  const signIn = (email: string, password: string) =>
    enclave.request('POST', '/api/auth/sign-in/email', { body: { email, password }, headers: { origin: enclave.url } });

  /** The token of the reset link in a mail: it rides in the fragment of a dashboard address. */
  function tokenIn(mail: CapturedMail): string {
    const escaped = `${enclave.url}/reset-password#token=`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const match = new RegExp(`${escaped}([A-Za-z0-9_-]{43})`).exec(mail.text);
    if (!match) throw new Error(`no reset link in: ${mail.text}`);
    secrets.push(match[1]!);
    return match[1]!;
  }
  async function mailedToken(user: TestUser): Promise<string> {
    expect((await ask(user.email)).status).toBe(202);
    const mail = await smtp.next(user.email);
    expect(mail.subject).toBe('Reset your Enclave password');
    return tokenIn(mail);
  }

  it('[IDN-01] a reset link captured by a real SMTP server works once: the new password works, the old one and every open session do not', async () => {
    const ada = await enclave.createUser('Ada');
    const laptop = await enclave.signIn(ada);
    const phone = await enclave.signIn(ada);
    for (const cookie of [laptop, phone]) expect((await enclave.request('GET', '/api/auth/session', { cookie })).status).toBe(200);

    const token = await mailedToken(ada);
    const db = enclave.server.platform.controlDb;
    expect(JSON.stringify(db.prepare('SELECT * FROM "verification"').all())).not.toContain(token);

    const newPassword = 'a brand new reset passphrase';
    secrets.push(newPassword, ada.password);
    const changed = await complete(token, newPassword);
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ status: 'password_changed' });
    expect(changed.headers.getSetCookie()).toEqual([]);

    for (const cookie of [laptop, phone]) expect((await enclave.request('GET', '/api/auth/session', { cookie })).status).toBe(401);
    const old = await signIn(ada.email, ada.password);
    expect(old.status).toBe(401);
    expect(await errorCode(old)).toBe('invalid_credentials');
    expect((await signIn(ada.email, newPassword)).status).toBe(200);
    // Stored as better-auth's salted scrypt hash, never as the password itself.
    const stored = db.prepare(`SELECT "password" FROM "account" WHERE "userId" = ? AND "providerId" = 'credential'`).get(ada.id) as { password: string };
    expect(stored.password).not.toContain(newPassword);
    expect(stored.password).toMatch(/^[0-9a-f]+:[0-9a-f]+$/);

    const reused = await complete(token, 'yet another long passphrase');
    expect(reused.status).toBe(400);
    expect(await errorCode(reused)).toBe('link_invalid');
    expect((await signIn(ada.email, newPassword)).status).toBe(200);

    const notice = await smtp.next(ada.email);
    expect(notice.subject).toBe('Your Enclave password was changed');
    expect(notice.text).not.toContain(newPassword);
    const events = controlEvents(enclave).filter((event) => event.action === 'user.password_reset');
    expect(events.find((event) => event.target_id === ada.id)).toMatchObject({ outcome: 'success', target_type: 'user' });
    expect(JSON.parse(events.find((event) => event.target_id === ada.id)!.details)).toEqual({ sessionsEnded: 2, linksRevoked: 0 });
    expect(events.at(-1)).toMatchObject({ outcome: 'failure', target_type: 'password_reset_link' });
  });

  it('[IDN-01] a reset link fails after it expires, and the password stays as it was', async () => {
    const bea = await enclave.createUser('Bea');
    const token = await mailedToken(bea);
    await sleep(TTL_SECONDS * 1000 + 200);
    const late = await complete(token, 'a passphrase too late to count');
    expect(late.status).toBe(400);
    expect(await errorCode(late)).toBe('link_invalid');
    expect((await signIn(bea.email, bea.password)).status).toBe(200);
    expect((await signIn(bea.email, 'a passphrase too late to count')).status).toBe(401);
  });

  it('[IDN-01] the new password must follow the sign-up rules; a refused one leaves the link working', async () => {
    const cy = await enclave.createUser('Cy');
    const token = await mailedToken(cy);
    for (const password of ['too short', 'x'.repeat(129)]) {
      const refused = await complete(token, password);
      expect(refused.status).toBe(400);
      expect(await errorCode(refused)).toBe('invalid_request');
    }
    expect((await complete(token, 'a passphrase of proper length')).status).toBe(200);
    expect((await signIn(cy.email, 'a passphrase of proper length')).status).toBe(200);
  });

  it('[IDN-01] ASVS 6.3.8: an unknown address gets the identical answer and no mail', async () => {
    const known = await enclave.createUser('Known');
    const unknown = 'nobody-here@people.example';
    const answers = [];
    for (const email of [known.email, unknown]) {
      const response = await ask(email);
      answers.push({ status: response.status, cookies: response.headers.getSetCookie(), body: await response.json() });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]!.status).toBe(202);
    tokenIn(await smtp.next(known.email));
    await sleep(300);
    expect(smtp.mails.filter((mail) => mail.to.includes(unknown))).toEqual([]);
    const requests = controlEvents(enclave).filter((event) => event.action === 'user.password_reset.request');
    expect(requests.at(-1)).toMatchObject({ target_type: 'email_digest' });
    expect(JSON.parse(requests.at(-1)!.details)).toEqual({ sent: false });
    expect(JSON.stringify(requests)).not.toContain(unknown);
  });

  it('[WEB-05] a reset lifts the sign-in lockout of the account', async () => {
    const dee = await enclave.createUser('Dee');
    for (let i = 0; i < 3; i++) await signIn(dee.email, 'a wrong guess at it');
    const locked = await signIn(dee.email, dee.password);
    expect(locked.status).toBe(429);
    expect(await errorCode(locked)).toBe('sign_in_locked');
    const token = await mailedToken(dee);
    expect((await complete(token, 'a fresh start passphrase')).status).toBe(200);
    expect((await signIn(dee.email, 'a fresh start passphrase')).status).toBe(200);
  });

  it('[LOG-05] no reset token and no password appears in any log line', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    const logs = enclave.logs.join('\n');
    for (const secret of secrets) expect(logs).not.toContain(secret);
    expect(logs).toContain('/api/auth/password-reset/complete');
  });
});
