import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiePair, startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { solvedChallenge } from '../helpers/proof-of-work.ts';
import { linkIn, startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.ts';
import { controlEvents } from './audit.ts';

/** Debian's oathtool: an independent TOTP implementation; `aheadSeconds` asks for a later step's code. */
function oathtool(secret: string, aheadSeconds = 0): string {
  const at = `@${Math.floor(Date.now() / 1000) + aheadSeconds}`;
  return execFileSync('oathtool', ['--totp', '-b', '-N', at, secret], { encoding: 'utf8' }).trim();
}

/** Another six digits than `code`. */
function otherThan(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

const SHORT_TTL_SECONDS = 1;

describe('one-time codes by email and regenerated backup codes', () => {
  let smtp: SmtpCapture;
  let enclave: TestServer;
  /** Mailed codes that expire almost at once. */
  let shortLived: TestServer;
  /** Every code and secret handed out, for the log canary at the end. */
  const handedOut: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    const smtpConfig = { host: '127.0.0.1', port: smtp.port, from: 'enclave@mail.example' };
    enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1000 }, smtp: smtpConfig });
    shortLived = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1000 }, smtp: smtpConfig, links: { emailCodeSeconds: SHORT_TTL_SECONDS } });
  });
  afterAll(async () => {
    await enclave.close();
    await shortLived.close();
    await smtp.close();
  });

  const post = (server: TestServer, path: string, cookie: string | undefined, body?: unknown) =>
    server.request('POST', path, { cookie, body, headers: { origin: server.url } });
  const session = (server: TestServer, cookie: string) => server.request('GET', '/api/auth/session', { cookie });
  const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;
  const newCookie = (response: Response) => cookiePair(response.headers.getSetCookie()[0]!);

  /** A verified account with a confirmed authenticator; returns its TOTP secret and backup codes. */
  async function enrolled(server: TestServer, name: string): Promise<{ user: TestUser; cookie: string; secret: string; backupCodes: string[] }> {
    const user = await server.createUser(name);
    const cookie = await server.signIn(user);
    const started = await post(server, '/api/auth/mfa/totp/enroll', cookie, { password: user.password });
    const { secret } = (await started.json()) as { secret: string };
    const confirmed = await post(server, '/api/auth/mfa/totp/confirm', cookie, { code: oathtool(secret) });
    expect(confirmed.status).toBe(200);
    const { backupCodes } = (await confirmed.json()) as { backupCodes: string[] };
    handedOut.push(secret, ...backupCodes);
    return { user, cookie, secret, backupCodes };
  }

  async function signInPending(server: TestServer, user: TestUser): Promise<string> {
    const response = await post(server, '/api/auth/sign-in/email', undefined, { email: user.email, password: user.password });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ mfaRequired: true, methods: ['totp', 'backup_code', 'email_code'] });
    return newCookie(response);
  }

  /** Asks for a code for the pending sign-in and reads it from the mail the SMTP server received. */
  async function mailedCode(server: TestServer, user: TestUser, pending: string): Promise<string> {
    const asked = await post(server, '/api/auth/mfa/email-code', pending);
    expect(asked.status).toBe(202);
    const mail = await smtp.next(user.email);
    expect(mail.subject).toBe('Your Enclave sign-in code');
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
    if (!code) throw new Error(`no code in: ${mail.text}`);
    handedOut.push(code);
    return code;
  }

  const verify = (server: TestServer, pending: string, body: Record<string, string>) => {
    handedOut.push(...Object.values(body));
    return post(server, '/api/auth/mfa/verify', pending, body);
  };

  it('[IDN-04] a code mailed through a real SMTP server completes the pending sign-in once and is stored only as a keyed digest', async () => {
    const { user } = await enrolled(enclave, 'Eve Email');
    const pending = await signInPending(enclave, user);
    const asked = await post(enclave, '/api/auth/mfa/email-code', pending);
    expect(asked.status).toBe(202);
    expect(await asked.json()).toEqual({ status: 'sent', expiresInSeconds: 300 });
    const mail = await smtp.next(user.email);
    expect(mail.text).toContain('within 5 minutes');
    const code = /\b(\d{6})\b/.exec(mail.text)![1]!;
    handedOut.push(code);

    const rows = enclave.server.platform.controlDb.prepare('SELECT * FROM mfa_email_code WHERE user_id = ?').all(user.id) as { code_digest: string }[];
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(code);
    expect(stored).not.toContain(createHash('sha256').update(code).digest('hex'));
    expect(stored).not.toContain(createHash('sha256').update(code).digest('base64url'));
    expect(rows[0]!.code_digest).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect((await session(enclave, pending)).status).toBe(401);
    const verified = await verify(enclave, pending, { emailCode: code });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ user: { id: user.id } });
    expect((await session(enclave, newCookie(verified))).status).toBe(200);
    expect((await session(enclave, pending)).status).toBe(401);

    // Spent, and bound to the sign-in it was mailed for: the next sign-in cannot use it.
    const next = await signInPending(enclave, user);
    const replayed = await verify(enclave, next, { emailCode: code });
    expect(replayed.status).toBe(401);
    expect(await errorCode(replayed)).toBe('invalid_code');
    expect((await session(enclave, next)).status).toBe(401);

    const events = controlEvents(enclave).filter((event) => event.target_id === user.id);
    expect(events.find((event) => event.action === 'user.mfa.email_code.send')).toMatchObject({ outcome: 'success' });
    const verifies = events.filter((event) => event.action === 'user.mfa.verify');
    expect(verifies.map((event) => [event.outcome, JSON.parse(event.details).method])).toEqual([
      ['success', 'email_code'],
      ['failure', 'email_code'],
    ]);
  });

  it('[IDN-04] a wrong mailed code is counted per account and audited; three wrong guesses void the code', async () => {
    const { user } = await enrolled(enclave, 'Walt Wrong');
    const pending = await signInPending(enclave, user);
    const code = await mailedCode(enclave, user, pending);
    const failures = () =>
      (enclave.server.platform.controlDb.prepare('SELECT failures FROM sign_in_failure WHERE subject = ?').get(`mfa:${user.id}`) as { failures: number } | undefined)
        ?.failures;

    const wrong = await verify(enclave, pending, { emailCode: otherThan(code) });
    expect(wrong.status).toBe(401);
    expect(await errorCode(wrong)).toBe('invalid_code');
    expect(failures()).toBe(1);
    const audited = controlEvents(enclave).filter((event) => event.action === 'user.mfa.verify' && event.target_id === user.id);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'failure' });
    expect(JSON.parse(audited[0]!.details)).toMatchObject({ method: 'email_code', failures: 1 });

    expect((await verify(enclave, pending, { emailCode: otherThan(otherThan(code)) })).status).toBe(401);
    expect((await verify(enclave, pending, { emailCode: '000000' === code ? '999999' : '000000' })).status).toBe(401);
    expect(failures()).toBe(3);
    // Worn out: even the right code no longer works, and a fresh one must be asked for.
    const late = await verify(enclave, pending, { emailCode: code });
    expect(late.status).toBe(401);
    expect((await session(enclave, pending)).status).toBe(401);

    const again = await signInPending(enclave, user);
    const fresh = await mailedCode(enclave, user, again);
    const verified = await verify(enclave, again, { emailCode: ` ${fresh} ` });
    expect(verified.status).toBe(200);
    expect(failures()).toBeUndefined();

    const malformed = await verify(enclave, await signInPending(enclave, user), { emailCode: '12345a' });
    expect(malformed.status).toBe(400);
  });

  it('[IDN-04] an expired mailed code is refused', async () => {
    const { user } = await enrolled(shortLived, 'Ed Expired');
    const pending = await signInPending(shortLived, user);
    const code = await mailedCode(shortLived, user, pending);
    await sleep(SHORT_TTL_SECONDS * 1000 + 300);
    const expired = await verify(shortLived, pending, { emailCode: code });
    expect(expired.status).toBe(401);
    expect(await errorCode(expired)).toBe('invalid_code');
    expect((await session(shortLived, pending)).status).toBe(401);
  });

  it('[IDN-04] a code is mailed only for a pending password sign-in: not without one, not for a full session, not after a magic link', async () => {
    const { user, secret } = await enrolled(enclave, 'Pia Pending');
    const plain = await enclave.createUser('No Factor');
    const full = await enclave.signIn(plain);
    const mailsBefore = smtp.mails.length;

    for (const cookie of [undefined, full, 'enclave_session=forged.value']) {
      const refused = await post(enclave, '/api/auth/mfa/email-code', cookie);
      expect(refused.status).toBe(401);
      expect(await errorCode(refused)).toBe('no_pending_sign_in');
    }
    const withBody = await post(enclave, '/api/auth/mfa/email-code', await signInPending(enclave, user), { to: 'attacker@evil.example' });
    expect(withBody.status).toBe(400);

    // A magic link has spoken for the mailbox already: a mailed code must not complete that sign-in.
    expect((await post(enclave, '/api/auth/magic-link', undefined, { email: user.email, altcha: await solvedChallenge(enclave.url) })).status).toBe(202);
    const link = linkIn(await smtp.next(user.email), enclave.url, '/api/auth/magic-link/verify');
    const landed = await fetch(link, { redirect: 'manual' });
    expect(landed.status).toBe(303);
    // The dashboard continues at its second step, offering only what may finish a link sign-in.
    expect(landed.headers.get('location')).toBe('/sign-in?step=second-factor&methods=totp%2Cbackup_code');
    const linkPending = newCookie(landed);
    const refused = await post(enclave, '/api/auth/mfa/email-code', linkPending);
    expect(refused.status).toBe(409);
    expect(await errorCode(refused)).toBe('email_code_unavailable');
    expect((await verify(enclave, linkPending, { emailCode: '123456' })).status).toBe(401);
    // The authenticator still completes it.
    expect((await verify(enclave, linkPending, { code: oathtool(secret, 30) })).status).toBe(200);

    expect(smtp.mails.slice(mailsBefore).filter((mail) => /sign-in code/.test(mail.subject))).toEqual([]);
    expect(controlEvents(enclave).filter((event) => event.action === 'user.mfa.email_code.send' && event.target_id === user.id)).toEqual([]);
  });

  it('[IDN-04] mailing codes is throttled per account with a back-off, and only the latest code of a sign-in works', async () => {
    const { user } = await enrolled(enclave, 'Fay Flood');
    const pending = await signInPending(enclave, user);
    const codes: string[] = [];
    for (let sent = 0; sent < 5; sent++) codes.push(await mailedCode(enclave, user, pending));
    const throttled = await post(enclave, '/api/auth/mfa/email-code', pending);
    expect(throttled.status).toBe(429);
    expect(await errorCode(throttled)).toBe('email_code_throttled');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // Per account, not per sign-in: a new password sign-in does not reset it.
    const other = await post(enclave, '/api/auth/mfa/email-code', await signInPending(enclave, user));
    expect(other.status).toBe(429);
    expect(controlEvents(enclave).filter((event) => event.action === 'user.mfa.email_code.send' && event.target_id === user.id)).toHaveLength(5);

    const first = codes[0]!;
    const last = codes[4]!;
    if (first !== last) expect((await verify(enclave, pending, { emailCode: first })).status).toBe(401);
    expect((await verify(enclave, pending, { emailCode: last })).status).toBe(200);
  });

  it('[IDN-04] after a password reset by mail, a mailed code cannot complete the sign-in: the mailbox alone never passes MFA, until the authenticator is used again', async () => {
    const { user, secret } = await enrolled(enclave, 'Rhea Reset');
    const asked = await enclave.request('POST', '/api/auth/password-reset/request', {
      body: { email: user.email, altcha: await solvedChallenge(enclave.url) },
      headers: { origin: enclave.url },
    });
    expect(asked.status).toBe(202);
    const mail = await smtp.next(user.email);
    const token = /reset-password#token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
    handedOut.push(token);
    const newPassword = 'a brand new passphrase for rhea';
    expect((await post(enclave, '/api/auth/password-reset/complete', undefined, { token, password: newPassword })).status).toBe(200);

    const signedIn = await post(enclave, '/api/auth/sign-in/email', undefined, { email: user.email, password: newPassword });
    expect(await signedIn.json()).toEqual({ mfaRequired: true, methods: ['totp', 'backup_code'] });
    const pending = newCookie(signedIn);
    const refused = await post(enclave, '/api/auth/mfa/email-code', pending);
    expect(refused.status).toBe(409);
    expect(await errorCode(refused)).toBe('email_code_unavailable');
    expect((await session(enclave, pending)).status).toBe(401);

    // The authenticator proves the person again; from then on a mailed code is an alternative once more.
    // A later step's code: the current one was spent confirming the authenticator.
    expect((await verify(enclave, pending, { code: oathtool(secret, 30) })).status).toBe(200);
    const later = await post(enclave, '/api/auth/sign-in/email', undefined, { email: user.email, password: newPassword });
    expect(await later.json()).toEqual({ mfaRequired: true, methods: ['totp', 'backup_code', 'email_code'] });
  });

  it('[IDN-04] regenerating backup codes needs the password, ends other sessions and voids every old code; the new ones work once and are stored hashed', async () => {
    const { user, cookie: here, secret, backupCodes: old } = await enrolled(enclave, 'Reg Regenerate');
    const elsewhere = newCookie(await verify(enclave, await signInPending(enclave, user), { code: oathtool(secret, 30) }));
    expect((await session(enclave, elsewhere)).status).toBe(200);
    const db = enclave.server.platform.controlDb;
    const hashesOf = () => db.prepare('SELECT code_hash FROM mfa_backup_code WHERE user_id = ?').all(user.id) as { code_hash: string }[];
    const before = hashesOf().map((row) => row.code_hash);

    const wrong = await post(enclave, '/api/auth/mfa/backup-codes', here, { password: `${user.password}x` });
    expect(wrong.status).toBe(403);
    expect(await errorCode(wrong)).toBe('reauthentication_failed');
    expect((await post(enclave, '/api/auth/mfa/backup-codes', here, {})).status).toBe(400);
    expect(hashesOf().map((row) => row.code_hash)).toEqual(before);
    expect((await session(enclave, elsewhere)).status).toBe(200);

    const regenerated = await post(enclave, '/api/auth/mfa/backup-codes', here, { password: user.password });
    expect(regenerated.status).toBe(200);
    const { backupCodes: fresh } = (await regenerated.json()) as { backupCodes: string[] };
    handedOut.push(...fresh);
    expect(fresh).toHaveLength(10);
    expect(new Set([...fresh, ...old]).size).toBe(20);
    expect((await session(enclave, elsewhere)).status).toBe(401);
    expect((await session(enclave, here)).status).toBe(200);

    const after = hashesOf();
    expect(after).toHaveLength(10);
    for (const { code_hash } of after) {
      expect(code_hash).toMatch(/^scrypt\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      expect(before).not.toContain(code_hash);
    }
    const stored = JSON.stringify(db.prepare('SELECT * FROM mfa_backup_code').all()).toLowerCase();
    for (const code of fresh) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace('-', ''));
    }

    for (const code of old.slice(0, 2)) {
      const refused = await verify(enclave, await signInPending(enclave, user), { backupCode: code });
      expect(refused.status).toBe(401);
      expect(await errorCode(refused)).toBe('invalid_code');
    }
    const pending = await signInPending(enclave, user);
    expect((await verify(enclave, pending, { code: fresh[0]! })).status).toBe(200);
    expect((await verify(enclave, await signInPending(enclave, user), { backupCode: fresh[0]! })).status).toBe(401);
    expect(await (await enclave.request('GET', '/api/auth/mfa', { cookie: here })).json()).toEqual({ totp: true, backupCodesRemaining: 9 });

    const event = controlEvents(enclave).find((candidate) => candidate.action === 'user.mfa.backup_codes.regenerate' && candidate.target_id === user.id);
    expect(event).toMatchObject({ outcome: 'success', actor_id: user.id });
    expect(JSON.parse(event!.details)).toMatchObject({ count: 10, otherSessionsEnded: 1 });

    // Nothing to regenerate without an authenticator, and a pending sign-in is no session.
    const plain = await enclave.createUser('No Factor');
    const none = await post(enclave, '/api/auth/mfa/backup-codes', await enclave.signIn(plain), { password: plain.password });
    expect(none.status).toBe(409);
    expect(await errorCode(none)).toBe('mfa_not_enabled');
    expect((await post(enclave, '/api/auth/mfa/backup-codes', await signInPending(enclave, user), { password: user.password })).status).toBe(401);
  });

  it('[IDN-04] mailed codes, backup codes and secrets never appear in any log line', () => {
    expect(handedOut.length).toBeGreaterThan(30);
    const logs = [...enclave.logs, ...shortLived.logs].join('\n').toLowerCase();
    for (const value of handedOut.map((code) => code.trim().toLowerCase())) {
      // Six digits also occur inside timestamps, so a numeric code counts only standing alone.
      if (/^\d+$/.test(value)) expect(logs).not.toMatch(new RegExp(`(?<![0-9])${value}(?![0-9])`));
      else expect(logs).not.toContain(value);
    }
  });
});
