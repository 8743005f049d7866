import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { clearAccountDisabled, markAccountDisabled, renameUser } from './account-store.ts';
import { revokeEverything, type Revoked } from './deprovision.ts';
import { claimUnverifiedUser, createVerifiedUserRow } from './federated-store.ts';

export interface ProvisionedAccountDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  now?: () => Date;
}

/**
 * Accounts a directory (SCIM, IDN-06) creates and controls. They start verified (the
 * directory vouches for the address) and without a password: the person signs in by a
 * magic link or the workspace's SSO. Disabling one revokes everything it holds at once
 * and keeps it from signing in until it is enabled again; account events go to the
 * control log.
 */
export class ProvisionedAccounts {
  readonly #deps: ProvisionedAccountDeps;
  readonly #now: () => Date;

  constructor(deps: ProvisionedAccountDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  async create(email: string, name: string, meta: RequestMeta, details: Record<string, unknown>): Promise<string> {
    const userId = createVerifiedUserRow(this.#deps.controlDb, email, name, this.#now());
    await this.#deps.controlAudit.record(auditEvent(meta, 'user.create', { type: 'user', id: userId }, { emailVerified: true, ...details }));
    return userId;
  }

  /**
   * An account whose address was never proven, now vouched for by a directory: it becomes
   * verified, and a password set by whoever signed up with the address goes, with anything
   * that sign-up holds (pre-account takeover, as in src/identity/federated.ts).
   */
  async claimUnverified(userId: string, meta: RequestMeta, details: Record<string, unknown>): Promise<void> {
    const db = this.#deps.controlDb;
    const passwordDropped = db.transaction(() => {
      const dropped = claimUnverifiedUser(db, userId, this.#now());
      revokeEverything(db, userId);
      return dropped;
    })();
    await this.#deps.controlAudit.record(auditEvent(meta, 'user.claim', { type: 'user', id: userId }, { ...details, unverifiedPasswordRemoved: passwordDropped }));
  }

  rename(userId: string, name: string): void {
    renameUser(this.#deps.controlDb, userId, name, this.#now().toISOString());
  }

  /** Disables the account and revokes everything it holds, in one transaction; audited even when it was disabled already. */
  async disable(userId: string, reason: string, meta: RequestMeta, details: Record<string, unknown>): Promise<Revoked> {
    const db = this.#deps.controlDb;
    const at = this.#now().toISOString();
    const revoked = db.transaction(() => {
      markAccountDisabled(db, userId, reason, at);
      return revokeEverything(db, userId);
    })();
    await this.#deps.controlAudit.record(
      auditEvent(meta, 'user.disable', { type: 'user', id: userId }, { reason, ...details, sessionsEnded: revoked.sessions, linksInvalidated: revoked.links }),
    );
    return revoked;
  }

  /** Lets the account sign in again; sessions ended by the disabling stay ended. */
  async enable(userId: string, meta: RequestMeta, details: Record<string, unknown>): Promise<void> {
    if (!clearAccountDisabled(this.#deps.controlDb, userId)) return;
    await this.#deps.controlAudit.record(auditEvent(meta, 'user.enable', { type: 'user', id: userId }, details));
  }
}
