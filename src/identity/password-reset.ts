import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { hashToken } from '../core/tokens.ts';
import { lifetimeInWords, sendInBackground, type MailContext, type Mailer } from '../email/mailer.ts';
import { isAccountDisabled } from './account-store.ts';
import { revokeEverything } from './deprovision.ts';
import { holdEmailCodes } from './mailbox-proof.ts';
import { hasPassword } from './password-store.ts';
import type { IdentityService } from './service.ts';
import { clearFailures } from './sign-in-lockout-store.ts';
import { invalidLink } from './verification.ts';
import { consumeLinkToken, issueLinkToken } from './verification-store.ts';

export interface PasswordResetDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  identity: IdentityService;
  mailer: Mailer | undefined;
  ttlSeconds: number;
  now?: () => Date;
}

/**
 * The dashboard page a reset link opens. The token rides in the fragment, which browsers
 * never send to a server, so it cannot reach a log, a proxy or a Referer header.
 */
export const RESET_PAGE_PATH = '/reset-password';

/**
 * IDN-01: a forgotten password is replaced through a link mailed to the account's address:
 * 256 random bits, single-use, short-lived, stored only as SHA-256 (verification-store.ts),
 * exactly like magic links. Setting the new password ends everything the account held.
 */
export class PasswordResetService {
  readonly #deps: PasswordResetDeps;
  readonly #now: () => Date;

  constructor(deps: PasswordResetDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * Every address gets the same answer (ASVS 6.3.8). Only a verified, enabled account that
   * has a password gets a link: an SSO- or directory-only account is not given a password
   * this way. Audited either way, an address without a link only as a digest.
   */
  async request(email: string, meta: RequestMeta, context: MailContext): Promise<void> {
    const { mailer, identity, controlDb, controlAudit, ttlSeconds } = this.#deps;
    if (!mailer) throw new AppError(409, 'email_not_configured', 'this server cannot send mail, so passwords cannot be reset by email; ask an operator');
    const user = identity.userByEmail(email);
    if (!user?.emailVerified || isAccountDisabled(controlDb, user.id) || !hasPassword(controlDb, user.id)) {
      await controlAudit.record(auditEvent(meta, 'user.password_reset.request', { type: 'email_digest', id: identity.emailDigest(email) }, { sent: false }));
      return;
    }
    const token = issueLinkToken(controlDb, 'password-reset', user.id, ttlSeconds, this.#now());
    sendInBackground(
      mailer,
      {
        to: user.email,
        subject: 'Reset your Enclave password',
        text: `Open this link to choose a new password for Enclave. It works once, within ${lifetimeInWords(ttlSeconds)}:\n\n${context.origin}${RESET_PAGE_PATH}#token=${token}\n\nIf you did not ask for it, ignore this mail: your password stays as it is.`,
      },
      context,
    );
    await controlAudit.record(auditEvent(meta, 'user.password_reset.request', { type: 'user', id: user.id }, { sent: true }));
  }

  /**
   * Spends the link, sets the new password with better-auth's hasher, then ends every
   * session and outstanding link the account holds (ASVS 7.4.3), lifts a sign-in lockout
   * (the person just proved their mailbox) and tells the owner by mail.
   */
  async complete(token: string, password: string, meta: RequestMeta, context: MailContext): Promise<void> {
    const { controlDb, controlAudit, identity, mailer } = this.#deps;
    const userId = consumeLinkToken(controlDb, 'password-reset', token, this.#now());
    const user = userId && !isAccountDisabled(controlDb, userId) ? identity.user(userId) : undefined;
    if (!user || !(await identity.setPassword(user.id, password))) {
      // A prefix of the hash groups retries of one link in the audit log without keeping anything usable.
      await controlAudit.record(auditEvent(meta, 'user.password_reset', { type: 'password_reset_link', id: hashToken(token).slice(0, 16) }, {}, 'failure'));
      throw invalidLink();
    }
    const revoked = revokeEverything(controlDb, user.id);
    holdEmailCodes(controlDb, user.id, 'password_reset', this.#now().toISOString());
    clearFailures(controlDb, identity.emailDigest(user.email));
    await controlAudit.record(auditEvent(meta, 'user.password_reset', { type: 'user', id: user.id }, { sessionsEnded: revoked.sessions, linksRevoked: revoked.links }));
    if (mailer) {
      sendInBackground(
        mailer,
        {
          to: user.email,
          subject: 'Your Enclave password was changed',
          text: `The password of your Enclave account was just changed through a reset link, and every session of the account was signed out.\n\nIf this was not you, reset your password again at once and tell your administrator.`,
        },
        context,
      );
    }
  }
}
