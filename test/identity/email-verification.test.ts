import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { solvedChallenge } from '../helpers/proof-of-work.ts';
import { linkIn, startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.ts';
import { controlEvents } from './audit.ts';

const PASSWORD = 'a long enough passphrase';

describe('email verification at sign-up over a real SMTP server', () => {
  let smtp: SmtpCapture;
  let enclave: TestServer;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    enclave = await startTestServer({
      rateLimit: { signInPerIpPerMinute: 1000 },
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'enclave@mail.example' },
    });
  });
  afterAll(async () => {
    await enclave.close();
    await smtp.close();
  });

  const signUp = async (email: string) =>
    enclave.request('POST', '/api/auth/sign-up/email', {
      body: { email, password: PASSWORD, name: 'Newcomer', altcha: await solvedChallenge(enclave.url) },
      headers: { origin: enclave.url },
    });
  const signIn = (email: string) =>
    enclave.request('POST', '/api/auth/sign-in/email', { body: { email, password: PASSWORD }, headers: { origin: enclave.url } });

  it('[IDN-01] sign-up sends a verification mail; an unverified account cannot sign in; after following the link it can', async () => {
    const email = 'verify-me@people.example';
    expect((await signUp(email)).status).toBe(202);
    const mail = await smtp.next(email);
    expect(mail.subject).toBe('Confirm your email address for Enclave');
    const link = linkIn(mail, enclave.url, '/api/auth/verify-email');
    const token = new URL(link).searchParams.get('token')!;
    expect(JSON.stringify(enclave.server.platform.controlDb.prepare('SELECT * FROM "verification"').all())).not.toContain(token);

    const before = await signIn(email);
    expect(before.status).toBe(403);
    expect(before.headers.getSetCookie()).toEqual([]);
    expect(((await before.json()) as { error: { code: string } }).error.code).toBe('email_not_verified');

    const followed = await fetch(link, { redirect: 'manual' });
    expect(followed.status).toBe(303);
    expect(followed.headers.get('location')).toBe('/');
    // Verifying proves the address; it does not sign in.
    expect(followed.headers.getSetCookie()).toEqual([]);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(400);

    const after = await signIn(email);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ user: { email, emailVerified: true } });
    const user = enclave.server.platform.identity.userByEmail(email)!;
    expect(controlEvents(enclave).find((event) => event.action === 'user.email_verify')).toMatchObject({ target_id: user.id, outcome: 'success' });
    expect(enclave.logs.join('\n')).not.toContain(token);
  });

  it('[IDN-01] sign-up with a taken address answers like a new one and mails the owner a notice, never a link', async () => {
    const owner = await enclave.createUser('Owner');
    const answer = async (email: string) => {
      const response = await signUp(email);
      return { status: response.status, cookies: response.headers.getSetCookie(), body: await response.json() };
    };
    expect(await answer(owner.email)).toEqual(await answer('another-newcomer@people.example'));
    const notice = await smtp.next(owner.email);
    expect(notice.subject).toBe('Someone tried to sign up to Enclave with your address');
    expect(notice.text).not.toContain('token=');
    expect((await smtp.next('another-newcomer@people.example')).subject).toBe('Confirm your email address for Enclave');
  });

  it('[WEB-02] a verification link that was never issued, or is malformed, gets a specific 400', async () => {
    const unknown = await enclave.request('GET', `/api/auth/verify-email?token=${'A'.repeat(43)}`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('link_invalid');
    const malformed = await enclave.request('GET', '/api/auth/verify-email?token=short');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });
});

describe('SMTP settings', () => {
  it('a password file others can read is refused at start, and a user needs a password file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-smtp-'));
    const file = join(dir, 'smtp-password');
    writeFileSync(file, 'not-a-real-password\n', { mode: 0o644 });
    chmodSync(file, 0o644);
    const smtp = { host: '127.0.0.1', port: 2525, from: 'enclave@mail.example', user: 'enclave', passwordFile: file };
    await expect(startTestServer({ smtp })).rejects.toThrow(/chmod 600/);
    await expect(startTestServer({ smtp: { host: '127.0.0.1', port: 2525, from: 'enclave@mail.example', user: 'enclave' } })).rejects.toThrow(
      /smtp.user and smtp.passwordFile go together/,
    );
    chmodSync(file, 0o600);
    const enclave = await startTestServer({ smtp });
    await enclave.close();
  });
});
