import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { lifetimeInWords, sendInBackground, type MailContext, type Mailer } from '../email/mailer.ts';
import { consumeLinkToken, issueLinkToken, markEmailVerified } from './verification-store.ts';

export interface EmailVerificationDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  mailer: Mailer | undefined;
  ttlSeconds: number;
  now?: () => Date;
}

export interface MailUser {
  id: string;
  email: string;
  emailVerified: boolean;
}

/** One answer for unknown, used and expired links, so a link's answer says nothing about other links. */
export const invalidLink = () => new AppError(400, 'link_invalid', 'this link does not work: it may have been used already or expired');

/**
 * IDN-01: a new account must prove its address before it can sign in. The link is
 * single-use and stored only hashed (verification-store.ts). Verifying does not sign in:
 * the person then signs in with the password they chose, and no second way in exists.
 */
export class EmailVerificationService {
  readonly #deps: EmailVerificationDeps;
  readonly #now: () => Date;

  constructor(deps: EmailVerificationDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /** better-auth created an unverified account at sign-up. */
  sendVerification(user: Pick<MailUser, 'id' | 'email'>, context: MailContext): void {
    const { mailer, controlDb, ttlSeconds } = this.#deps;
    if (!mailer) return;
    const token = issueLinkToken(controlDb, 'email-verification', user.id, ttlSeconds, this.#now());
    const link = `${context.origin}/api/auth/verify-email?token=${token}`;
    sendInBackground(
      mailer,
      {
        to: user.email,
        subject: 'Confirm your email address for Enclave',
        text: `Open this link to confirm your address (it works once, within ${lifetimeInWords(ttlSeconds)}):\n\n${link}\n\nIf you did not sign up for Enclave, ignore this mail.`,
      },
      context,
    );
  }

  /**
   * Someone signed up with an address that has an account. The answer they got is the same
   * as for a new address (ASVS 6.3.8); the owner hears of it, or gets a fresh link if the
   * account was never verified.
   */
  notifyExisting(user: MailUser, context: MailContext): void {
    const mailer = this.#deps.mailer;
    if (!mailer) return;
    if (!user.emailVerified) return this.sendVerification(user, context);
    sendInBackground(
      mailer,
      {
        to: user.email,
        subject: 'Someone tried to sign up to Enclave with your address',
        text: 'Someone tried to create an Enclave account with this address, which already has one. Nothing changed. If it was you, sign in instead.',
      },
      context,
    );
  }

  async verify(token: string, meta: RequestMeta): Promise<void> {
    const { controlDb, controlAudit } = this.#deps;
    const now = this.#now();
    const userId = consumeLinkToken(controlDb, 'email-verification', token, now);
    if (!userId || !markEmailVerified(controlDb, userId, now)) throw invalidLink();
    await controlAudit.record(auditEvent(meta, 'user.email_verify', { type: 'user', id: userId }));
  }
}
