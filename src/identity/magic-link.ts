import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { hashToken } from '../core/tokens.ts';
import { lifetimeInWords, sendInBackground, type MailContext, type Mailer } from '../email/mailer.ts';
import type { IdentityService, OpenedSession } from './service.ts';
import { isAccountDisabled } from './account-store.ts';
import { invalidLink } from './verification.ts';
import { consumeLinkToken, issueLinkToken } from './verification-store.ts';

export interface MagicLinkDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  identity: IdentityService;
  mailer: Mailer | undefined;
  ttlSeconds: number;
  now?: () => Date;
}

/**
 * IDN-02: sign-in by a link mailed to a verified address; single-use, short-lived, stored
 * only hashed. Following it opens a session through the same path as a password sign-in,
 * so rotation and timeouts apply and the session token is stored hashed too.
 */
export class MagicLinkService {
  readonly #deps: MagicLinkDeps;
  readonly #now: () => Date;

  constructor(deps: MagicLinkDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * Every address gets the same answer, known or not (ASVS 6.3.8); only a verified
   * account gets a mail. Both are audited, an unknown address only as a digest.
   */
  async request(email: string, meta: RequestMeta, context: MailContext): Promise<void> {
    const { mailer, identity, controlDb, controlAudit, ttlSeconds } = this.#deps;
    if (!mailer) throw new AppError(409, 'email_not_configured', 'this server cannot send mail, so sign-in links are not available; sign in with your password');
    const user = identity.userByEmail(email);
    // A disabled account (IDN-06) is answered alike and mailed nothing.
    if (!user?.emailVerified || isAccountDisabled(controlDb, user.id)) {
      await controlAudit.record(auditEvent(meta, 'user.magic_link.request', { type: 'email_digest', id: identity.emailDigest(email) }, { sent: false }));
      return;
    }
    const token = issueLinkToken(controlDb, 'magic-link', user.id, ttlSeconds, this.#now());
    sendInBackground(
      mailer,
      {
        to: user.email,
        subject: 'Your Enclave sign-in link',
        text: `Open this link to sign in to Enclave. It works once, within ${lifetimeInWords(ttlSeconds)}:\n\n${context.origin}/api/auth/magic-link/verify?token=${token}\n\nIf you did not ask for it, ignore this mail: nobody can sign in without it.`,
      },
      context,
    );
    await controlAudit.record(auditEvent(meta, 'user.magic_link.request', { type: 'user', id: user.id }, { sent: true }));
  }

  async signIn(token: string, meta: RequestMeta): Promise<OpenedSession> {
    const { controlDb, controlAudit, identity } = this.#deps;
    const userId = consumeLinkToken(controlDb, 'magic-link', token, this.#now());
    if (!userId) {
      // A prefix of the hash groups retries of one link in the audit log without keeping anything usable.
      await controlAudit.record(
        auditEvent(meta, 'user.sign_in', { type: 'magic_link', id: hashToken(token).slice(0, 16) }, { method: 'magic_link' }, 'failure'),
      );
      throw invalidLink();
    }
    return identity.openSession(userId, meta, 'magic_link');
  }
}
