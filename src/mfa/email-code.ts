import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import type { Keyring } from '../core/keyring.ts';
import { lifetimeInWords, sendInBackground, type MailContext, type Mailer } from '../email/mailer.ts';
import type { IdentityService } from '../identity/service.ts';
import type { PendingSignIn } from '../identity/sessions.ts';
import { SignInLockout, type LockoutPolicy } from '../identity/sign-in-lockout.ts';
import { emailCodesHeld } from '../identity/mailbox-proof.ts';
import { consumeEmailCode, countEmailCodeFailure, deleteExpiredEmailCodes, saveEmailCode } from './email-code-store.ts';

export interface EmailCodeDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  keyring: Keyring;
  identity: Pick<IdentityService, 'user'>;
  /** Undefined when this server cannot send mail: codes are then not offered. */
  mailer: Mailer | undefined;
  ttlSeconds: number;
  lockout: LockoutPolicy;
  now: () => Date;
}

/**
 * First factors a mailed code may follow. After a magic link the mailbox has already
 * spoken: a code to the same mailbox would let it complete the whole sign-in alone. After
 * an identity provider (OIDC, SAML) the mailbox is often hosted by that same provider.
 */
const FIRST_FACTORS_BEFORE_EMAIL_CODE = new Set(['password']);
/** Wrong guesses one code takes before it is void; the pending sign-in and the account have limits of their own on top. */
const FAILURES_PER_CODE = 3;

/**
 * IDN-04: a six-digit code mailed for one pending sign-in, as an alternative to the
 * authenticator app when it is not at hand. It is not a factor of its own that someone
 * could enrol instead of TOTP: mail is how links, invitations and (later) recovery reach a
 * person, so "password + mailbox" would make MFA no stronger than the mailbox, and a
 * workspace requiring MFA (IDN-05) could be satisfied by an address alone. So only an
 * account with a confirmed authenticator gets the choice, and only after its password.
 *
 * Six digits are guessable offline from any plain hash, so the stored form is an HMAC
 * under a key derived for this purpose alone, bound to the sign-in it was issued for.
 * Sending is throttled per account with the sign-in lockout's back-off (each mail counts
 * like a failure), so a stolen password cannot flood the owner's mailbox.
 */
export class EmailCodes {
  readonly #deps: EmailCodeDeps;
  readonly #key: Buffer;
  readonly #throttle: SignInLockout;

  constructor(deps: EmailCodeDeps) {
    this.#deps = deps;
    this.#key = Buffer.from(hkdfSync('sha256', deps.keyring.controlKey('db'), 'enclave:control', 'enclave:control:mfa-email-code:v1', 32));
    this.#throttle = new SignInLockout(deps.controlDb, deps.lockout, deps.now);
  }

  /** Whether a sign-in begun with `firstFactor` can be offered a mailed code: mail works here and the address is verified. */
  offeredTo(userId: string, firstFactor: string | undefined): boolean {
    if (!FIRST_FACTORS_BEFORE_EMAIL_CODE.has(firstFactor ?? '') || this.#deps.mailer === undefined || emailCodesHeld(this.#deps.controlDb, userId)) return false;
    return Boolean(this.#deps.identity.user(userId)?.emailVerified);
  }

  async send(pending: PendingSignIn, meta: RequestMeta, context: MailContext): Promise<{ status: 'sent'; expiresInSeconds: number }> {
    const { mailer, controlDb, controlAudit, ttlSeconds } = this.#deps;
    if (!mailer) throw new AppError(409, 'email_not_configured', 'this server cannot send mail; use your authenticator app or a backup code');
    if (!FIRST_FACTORS_BEFORE_EMAIL_CODE.has(pending.firstFactor ?? '')) {
      const message = 'this sign-in began with a mailed link, so a mailed code cannot complete it; use your authenticator app or a backup code';
      throw new AppError(409, 'email_code_unavailable', message);
    }
    if (emailCodesHeld(controlDb, pending.userId)) {
      const message = 'the password was just reset through a mailed link, so a mailed code cannot complete this sign-in; use your authenticator app or a backup code';
      throw new AppError(409, 'email_code_unavailable', message);
    }
    const user = this.#deps.identity.user(pending.userId);
    if (!user?.emailVerified) {
      throw new AppError(409, 'email_not_verified', 'codes are mailed only to a verified address; use your authenticator app or a backup code');
    }
    const subject = `mfa-email:${user.id}`;
    try {
      this.#throttle.assertOpen(subject);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      throw new AppError(429, 'email_code_throttled', 'several codes were mailed for this account just now; wait before asking for another', error.headers);
    }
    const now = this.#deps.now();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    deleteExpiredEmailCodes(controlDb, now.toISOString());
    saveEmailCode(controlDb, {
      sessionId: pending.sessionId,
      userId: user.id,
      digest: this.#digest(pending.sessionId, code),
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
      createdAt: now.toISOString(),
    });
    const sent = this.#throttle.recordFailure(subject);
    sendInBackground(
      mailer,
      {
        to: user.email,
        subject: 'Your Enclave sign-in code',
        text: [
          `Your Enclave sign-in code is ${code}`,
          `It works once, within ${lifetimeInWords(ttlSeconds)}, for the sign-in that asked for it.`,
          'If you are not signing in right now, someone else knows your password: change it, and do not share this code.',
        ].join('\n\n'),
      },
      context,
    );
    await controlAudit.record(
      auditEvent(meta, 'user.mfa.email_code.send', { type: 'user', id: user.id }, { sessionId: pending.sessionId, mailedRecently: sent.failures }),
    );
    return { status: 'sent', expiresInSeconds: ttlSeconds };
  }

  /** Spends the pending sign-in's code when `code` is it; a wrong guess wears the code out. */
  accept(pending: PendingSignIn, code: string): boolean {
    const db = this.#deps.controlDb;
    if (consumeEmailCode(db, pending.sessionId, this.#digest(pending.sessionId, code), this.#deps.now().toISOString(), FAILURES_PER_CODE)) {
      // The mails were wanted after all: the next sign-in starts with a fresh allowance.
      this.#throttle.recordSuccess(`mfa-email:${pending.userId}`);
      return true;
    }
    countEmailCodeFailure(db, pending.sessionId, FAILURES_PER_CODE);
    return false;
  }

  #digest(sessionId: string, code: string): string {
    return createHmac('sha256', this.#key).update(`${sessionId}:${code}`).digest('base64url');
  }
}
