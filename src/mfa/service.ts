import { randomUUID } from 'node:crypto';
import type { Actor, RequestMeta, UserMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import type { Keyring } from '../core/keyring.ts';
import type { MailContext, Mailer } from '../email/mailer.ts';
import type { IdentityService } from '../identity/service.ts';
import type { PendingSignIn, SessionService } from '../identity/sessions.ts';
import { SignInLockout, type LockoutPolicy } from '../identity/sign-in-lockout.ts';
import type { User } from '../identity/schema.ts';
import { releaseEmailCodes } from '../identity/mailbox-proof.ts';
import { EmailCodes } from './email-code.ts';
import { backupCodeMatches, hashBackupCode, newBackupCode, TotpSecretBox } from './secrets.ts';
import {
  claimTotpStep,
  deleteMfa,
  findTotp,
  replaceBackupCodes,
  setWorkspaceRequiresMfa,
  spendBackupCode,
  unusedBackupCodes,
  upsertPendingTotp,
  workspaceRequiresMfa,
} from './store.ts';
import { base32, matchTotp, newTotpSecret, otpauthUri } from './totp.ts';

export interface MfaServiceDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  keyring: Keyring;
  identity: Pick<IdentityService, 'user' | 'verifyPassword'>;
  sessions: SessionService;
  workspaceAudit(workspaceId: string): AuditLog;
  lockout: LockoutPolicy;
  /** For one-time codes by mail; undefined when this server cannot send mail. */
  mailer: Mailer | undefined;
  emailCodeSeconds: number;
  now?: () => Date;
}

export type SecondFactorMethod = 'totp' | 'backup_code' | 'email_code';
export type SecondFactor = { method: SecondFactorMethod; code: string };

const ISSUER = 'Enclave';
const BACKUP_CODE_COUNT = 10;
/** Codes one pending sign-in may try; the per-account lockout and the per-IP limit bound the rest. */
const ATTEMPTS_PER_SIGN_IN = 5;

/**
 * Multi-factor authentication (IDN-04, IDN-05): TOTP authenticators with backup codes (and
 * mailed one-time codes as an alternative at sign-in), the second step of a sign-in, and
 * the per-workspace requirement. Changing factors asks for the current password again
 * (rather than a recent sign-in, which a stolen session cookie would satisfy) and ends the
 * person's other sessions.
 */
export class MfaService {
  readonly #deps: MfaServiceDeps;
  readonly #box: TotpSecretBox;
  readonly #lockout: SignInLockout;
  readonly #emailCodes: EmailCodes;
  readonly #now: () => Date;

  constructor(deps: MfaServiceDeps) {
    this.#deps = deps;
    this.#box = new TotpSecretBox(deps.keyring);
    this.#now = deps.now ?? (() => new Date());
    this.#lockout = new SignInLockout(deps.controlDb, deps.lockout, this.#now);
    this.#emailCodes = new EmailCodes({ ...deps, ttlSeconds: deps.emailCodeSeconds, now: this.#now });
  }

  enabled(userId: string): boolean {
    return Boolean(findTotp(this.#deps.controlDb, userId)?.confirmed_at);
  }

  status(userId: string): { totp: boolean; backupCodesRemaining: number } {
    const totp = this.enabled(userId);
    return { totp, backupCodesRemaining: totp ? unusedBackupCodes(this.#deps.controlDb, userId).length : 0 };
  }

  /** Starts an enrolment: the secret is shown this once and stored only sealed. */
  async enroll(meta: UserMeta, password: string): Promise<{ secret: string; otpauthUri: string }> {
    await this.#reauthenticate(meta, password);
    const userId = meta.actor.id;
    const secret = newTotpSecret();
    if (!upsertPendingTotp(this.#deps.controlDb, userId, this.#box.seal(userId, secret), this.#now().toISOString())) {
      throw new AppError(409, 'mfa_already_enabled', 'an authenticator is already set up; turn it off first to replace it');
    }
    return { secret: base32(secret), otpauthUri: otpauthUri(secret, this.#deps.identity.user(userId)?.email ?? userId, ISSUER) };
  }

  /** A first code from the app proves it holds the secret; MFA is then on, and the backup codes are shown this once. */
  async confirm(meta: UserMeta, code: string): Promise<{ backupCodes: string[] }> {
    const db = this.#deps.controlDb;
    const userId = meta.actor.id;
    const row = findTotp(db, userId);
    if (!row) throw new AppError(409, 'mfa_enrollment_not_started', 'start an enrolment first');
    if (row.confirmed_at) throw new AppError(409, 'mfa_already_enabled', 'an authenticator is already set up');
    const codes = Array.from({ length: BACKUP_CODE_COUNT }, newBackupCode);
    // Hashed before MFA turns on, so there is never a moment with MFA and no backup codes.
    const hashes = await Promise.all(codes.map(async (backup) => ({ id: randomUUID(), hash: await hashBackupCode(backup) })));
    const now = this.#now();
    const step = matchTotp(this.#box.open(userId, row.secret_sealed), code, now);
    if (step === undefined || !claimTotpStep(db, userId, step, now.toISOString())) {
      throw new AppError(400, 'invalid_code', 'that code is not correct; check the time on your device and use a fresh code');
    }
    replaceBackupCodes(db, userId, hashes, now.toISOString());
    const ended = await this.#deps.sessions.revokeOthers(meta);
    await this.#deps.controlAudit.record(auditEvent(meta, 'user.mfa.enable', { type: 'user', id: userId }, { method: 'totp', otherSessionsEnded: ended }));
    return { backupCodes: codes };
  }

  async disable(meta: UserMeta, password: string): Promise<void> {
    await this.#reauthenticate(meta, password);
    if (!this.enabled(meta.actor.id)) throw new AppError(409, 'mfa_not_enabled', 'no authenticator is set up');
    deleteMfa(this.#deps.controlDb, meta.actor.id);
    const ended = await this.#deps.sessions.revokeOthers(meta);
    await this.#deps.controlAudit.record(auditEvent(meta, 'user.mfa.disable', { type: 'user', id: meta.actor.id }, { method: 'totp', otherSessionsEnded: ended }));
  }

  /**
   * A fresh set of backup codes, shown this once; every old one stops working in the same
   * transaction. Like any change of factors it needs the password and ends the other
   * sessions, since someone who saw the old codes may have used one already.
   */
  async regenerateBackupCodes(meta: UserMeta, password: string): Promise<{ backupCodes: string[] }> {
    await this.#reauthenticate(meta, password);
    const userId = meta.actor.id;
    if (!this.enabled(userId)) throw new AppError(409, 'mfa_not_enabled', 'backup codes come with an authenticator; set one up first');
    const codes = Array.from({ length: BACKUP_CODE_COUNT }, newBackupCode);
    const hashes = await Promise.all(codes.map(async (backup) => ({ id: randomUUID(), hash: await hashBackupCode(backup) })));
    const db = this.#deps.controlDb;
    db.transaction(() => replaceBackupCodes(db, userId, hashes, this.#now().toISOString()))();
    const ended = await this.#deps.sessions.revokeOthers(meta);
    await this.#deps.controlAudit.record(
      auditEvent(meta, 'user.mfa.backup_codes.regenerate', { type: 'user', id: userId }, { count: codes.length, otherSessionsEnded: ended }),
    );
    return { backupCodes: codes };
  }

  /**
   * The second factors a pending sign-in of this account may use, for the sign-in answer.
   * A mailed code is offered only when the caller names a first factor it may follow.
   */
  methods(userId: string, firstFactor?: string): SecondFactorMethod[] {
    return ['totp', 'backup_code', ...(this.#emailCodes.offeredTo(userId, firstFactor) ? (['email_code'] as const) : [])];
  }

  /** Mails a one-time code for the pending sign-in the cookie names (see email-code.ts for why only then). */
  async sendEmailCode(cookieHeader: string | undefined, meta: RequestMeta, context: MailContext): Promise<{ status: 'sent'; expiresInSeconds: number }> {
    const pending = this.#pending(cookieHeader);
    // A code cannot be tried while the account's second factor is locked, so none is mailed either.
    this.#lockout.assertOpen(`mfa:${pending.userId}`);
    return this.#emailCodes.send(pending, meta, context);
  }

  /**
   * The second step of a sign-in: a TOTP code (each step once), an unused backup code or
   * the code mailed for this sign-in completes the pending session under a new token.
   * Failures count per pending sign-in and per account, and are audited.
   */
  async verify(cookieHeader: string | undefined, factor: SecondFactor, meta: RequestMeta): Promise<{ user: User; setCookie: string }> {
    const sessions = this.#deps.sessions;
    const pending = this.#pending(cookieHeader);
    const subject = `mfa:${pending.userId}`;
    this.#lockout.assertOpen(subject);
    if (!sessions.countSecondFactorAttempt(pending, ATTEMPTS_PER_SIGN_IN)) {
      throw new AppError(429, 'too_many_attempts', 'too many codes tried for this sign-in; sign in with your password again', { 'retry-after': '30' });
    }
    const target = { type: 'user', id: pending.userId };
    const details = { method: factor.method, sessionId: pending.sessionId };
    const accepted = await this.#accept(pending, factor);
    if (!accepted) {
      const outcome = this.#lockout.recordFailure(subject);
      await this.#deps.controlAudit.record(auditEvent(meta, 'user.mfa.verify', target, { ...details, failures: outcome.failures }, 'failure'));
      throw new AppError(401, 'invalid_code', 'that code is not correct or was already used');
    }
    this.#lockout.recordSuccess(subject);
    // The authenticator or a backup code proved the person again: mailed codes may follow a password once more.
    if (factor.method !== 'email_code') releaseEmailCodes(this.#deps.controlDb, pending.userId);
    const setCookie = sessions.completeSecondFactor(pending);
    const user = this.#deps.identity.user(pending.userId);
    if (!setCookie || !user) throw new AppError(401, 'no_pending_sign_in', 'this sign-in is no longer pending; sign in again');
    const actor = { type: 'user' as const, id: user.id, sessionId: pending.sessionId };
    await this.#deps.controlAudit.record(auditEvent({ ...meta, actor }, 'user.mfa.verify', target, details));
    return { user, setCookie };
  }

  requiredIn(workspaceId: string): boolean {
    return workspaceRequiresMfa(this.#deps.controlDb, workspaceId);
  }

  /** IDN-05: people without MFA are kept out of a workspace that requires it; keys are not people and are not affected. */
  blocks(workspaceId: string, actor: Actor): boolean {
    return actor.type === 'user' && this.requiredIn(workspaceId) && !this.enabled(actor.id);
  }

  async setRequired(workspaceId: string, required: boolean, meta: RequestMeta): Promise<{ requireMfa: boolean }> {
    if (required && meta.actor.type === 'user' && !this.enabled(meta.actor.id)) {
      throw new AppError(409, 'mfa_not_enrolled', 'set up an authenticator for yourself before requiring one of every member');
    }
    setWorkspaceRequiresMfa(this.#deps.controlDb, workspaceId, required, this.#now().toISOString());
    await this.#deps.workspaceAudit(workspaceId).record(
      auditEvent(meta, 'workspace.require_mfa', { type: 'workspace', id: workspaceId }, { requireMfa: required }),
    );
    return { requireMfa: required };
  }

  #pending(cookieHeader: string | undefined): PendingSignIn {
    const pending = this.#deps.sessions.pendingSignIn(cookieHeader);
    if (!pending) throw new AppError(401, 'no_pending_sign_in', 'sign in with your password first; the second step must follow within 5 minutes');
    return pending;
  }

  async #accept(pending: PendingSignIn, factor: SecondFactor): Promise<boolean> {
    if (factor.method === 'totp') return this.#acceptTotp(pending.userId, factor.code);
    if (factor.method === 'email_code') return this.#emailCodes.accept(pending, factor.code);
    return this.#spendBackupCode(pending.userId, factor.code);
  }

  #acceptTotp(userId: string, code: string): boolean {
    const row = findTotp(this.#deps.controlDb, userId);
    if (!row?.confirmed_at) return false;
    const step = matchTotp(this.#box.open(userId, row.secret_sealed), code, this.#now());
    return step !== undefined && claimTotpStep(this.#deps.controlDb, userId, step);
  }

  async #spendBackupCode(userId: string, code: string): Promise<boolean> {
    for (const row of unusedBackupCodes(this.#deps.controlDb, userId)) {
      if (await backupCodeMatches(code, row.code_hash)) return spendBackupCode(this.#deps.controlDb, row.id, this.#now().toISOString());
    }
    return false;
  }

  /** The same check for other factor changes (passkeys, IDN-07), so every factor shares one lockout. */
  reauthenticate(meta: UserMeta, password: string): Promise<void> {
    return this.#reauthenticate(meta, password);
  }

  /** Changing factors needs the password again; guesses count towards a lockout of their own. */
  async #reauthenticate(meta: UserMeta, password: string): Promise<void> {
    const subject = `reauth:${meta.actor.id}`;
    this.#lockout.assertOpen(subject);
    if (await this.#deps.identity.verifyPassword(meta.actor.id, password)) {
      this.#lockout.recordSuccess(subject);
      return;
    }
    const outcome = this.#lockout.recordFailure(subject);
    await this.#deps.controlAudit.record(auditEvent(meta, 'user.reauthenticate', { type: 'user', id: meta.actor.id }, { failures: outcome.failures }, 'failure'));
    throw new AppError(403, 'reauthentication_failed', 'the current password is not correct');
  }
}
