import type { UserMeta } from '../../access/actor.ts';
import { auditEvent } from '../../access/audit-event.ts';
import type { AuditLog } from '../../audit/log.ts';
import type { SqliteDatabase } from '../../core/database.ts';
import { AppError } from '../../core/errors.ts';
import { sendInBackground, type MailContext, type Mailer } from '../../email/mailer.ts';
import { markAccountDisabled } from '../../identity/account-store.ts';
import { revokeEverything } from '../../identity/deprovision.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { WorkspaceDeletion } from '../../workspaces/deletion.ts';
import type { CloseAccountInput, ClosedAccount } from './schema.ts';
import {
  clearLockouts,
  deleteDirectoryRecords,
  deleteMemberships,
  deleteSecondFactors,
  deleteSignInMethods,
  forgetInvitations,
  memberCounts,
  membershipsOf,
  minimiseUser,
  recordClosedAccount,
  type MembershipRow,
} from './store.ts';

export interface AccountClosureDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  identity: Pick<IdentityService, 'user' | 'emailDigest'>;
  /** The same recent re-authentication as MFA changes and workspace deletion (MfaService.reauthenticate). */
  reauthenticate(meta: UserMeta, password: string): Promise<void>;
  deletion: Pick<WorkspaceDeletion, 'deleteWithClosedAccount'>;
  workspaceExists(workspaceId: string): boolean;
  workspaceAudit(workspaceId: string): AuditLog;
  /** Undefined on a production server without SMTP: the closure then goes unmailed. */
  mailer: Mailer | undefined;
  now?: () => Date;
}

/** How the person's live workspaces fall under the closure rules. */
interface Plan {
  /** Workspaces they alone belong to (as owner): deleted through DAT-02. */
  alone: string[];
  /** Workspaces they leave, which go on with their other members. */
  leave: MembershipRow[];
  /** Workspaces they alone own while others belong to them: these block the closure. */
  blocking: string[];
}

/**
 * DAT-03: a person closes their own account. Their workspaces follow DAT-02 (a workspace
 * only they belong to is deleted, restorable for the retention period, then shredded); the
 * account is disabled for good, everything it holds is revoked, and what identifies the
 * person goes: the name, the address, the password hash, second factors, linked sign-ins
 * and directory records.
 *
 * What is kept of the sign-in identity (DAT-03 allows it) is only a keyed digest of the
 * address, the same HMAC-SHA-256 the control log already uses for sign-in attempts
 * (IdentityService.emailDigest). A plain SHA-256 of an address can be reversed by hashing
 * a list of addresses; the keyed one cannot without the server's secret. The digest lets
 * an operator see that an address belonged to a closed account and tie later sign-in
 * attempts in the log to it. It does not block the address: signing up again creates a
 * new, unrelated account (new id, no workspaces, no history), never this one, which stays
 * disabled with nothing left that could sign in to it.
 */
export class AccountClosure {
  readonly #deps: AccountClosureDeps;
  readonly #now: () => Date;

  constructor(deps: AccountClosureDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  async close(input: CloseAccountInput, meta: UserMeta, mail: MailContext): Promise<ClosedAccount> {
    const { controlDb, controlAudit, identity } = this.#deps;
    const userId = meta.actor.id;
    const user = identity.user(userId);
    if (!user) throw new AppError(401, 'unauthenticated', 'sign in first');
    // The address, not a checkbox: closing is typed out on purpose, like deleting a workspace.
    if (input.confirm.trim().toLowerCase() !== user.email.toLowerCase()) {
      throw new AppError(400, 'confirmation_mismatch', 'type your email address exactly as it is shown to confirm');
    }
    await this.#deps.reauthenticate(meta, input.password);
    const plan = this.#plan(userId);
    if (plan.blocking.length > 0) {
      const count = plan.blocking.length;
      throw new AppError(
        409,
        'sole_owner',
        `you are the only owner of ${count} workspace${count === 1 ? '' : 's'} with other members; make someone else owner or delete ${count === 1 ? 'it' : 'them'} first`,
      );
    }

    const deleted: string[] = [];
    for (const workspaceId of plan.alone) deleted.push((await this.#deps.deletion.deleteWithClosedAccount(workspaceId, meta)).id);

    const at = this.#now().toISOString();
    const digest = identity.emailDigest(user.email.toLowerCase());
    const outcome = controlDb.transaction(() => {
      // Asked again where it cannot change underneath: another owner may have left meanwhile.
      if (this.#plan(userId).blocking.length > 0) throw new AppError(409, 'sole_owner', 'you became the only owner of a workspace with other members; try again');
      markAccountDisabled(controlDb, userId, 'closed', at);
      const revoked = revokeEverything(controlDb, userId);
      const memberships = deleteMemberships(controlDb, userId);
      const signInMethods = deleteSignInMethods(controlDb, userId);
      deleteSecondFactors(controlDb, userId);
      deleteDirectoryRecords(controlDb, userId);
      forgetInvitations(controlDb, userId, user.email, at);
      clearLockouts(controlDb, [digest, `reauth:${userId}`]);
      minimiseUser(controlDb, userId, at);
      recordClosedAccount(controlDb, userId, digest, at);
      return { revoked, memberships, signInMethods };
    })();
    // The address was read before it was minimised; the mail goes once the closure is certain, never for one that failed.
    const mailed = this.#mailClosure(user.email, mail);

    for (const membership of plan.leave) {
      await this.#deps
        .workspaceAudit(membership.workspace_id)
        .record(auditEvent(meta, 'member.remove', { type: 'user', id: userId }, { workspaceId: membership.workspace_id, role: membership.role, via: 'account_closure' }));
    }
    await controlAudit.record(
      auditEvent(meta, 'user.close', { type: 'user', id: userId }, {
        workspacesDeleted: deleted,
        workspacesLeft: plan.leave.map((membership) => membership.workspace_id),
        membershipsRemoved: outcome.memberships,
        signInMethodsRemoved: outcome.signInMethods,
        sessionsEnded: outcome.revoked.sessions,
        linksInvalidated: outcome.revoked.links,
        mcpGrantsRevoked: outcome.revoked.mcpGrants,
        mailed,
      }),
    );
    return { status: 'closed', workspacesDeleted: deleted, workspacesLeft: plan.leave.length };
  }

  #plan(userId: string): Plan {
    const plan: Plan = { alone: [], leave: [], blocking: [] };
    for (const membership of membershipsOf(this.#deps.controlDb, userId)) {
      // A workspace deleted already follows DAT-02 on its own; only the membership goes.
      if (!this.#deps.workspaceExists(membership.workspace_id)) continue;
      const counts = memberCounts(this.#deps.controlDb, membership.workspace_id);
      if (membership.role === 'owner' && counts.members === 1) plan.alone.push(membership.workspace_id);
      else if (membership.role === 'owner' && counts.owners === 1) plan.blocking.push(membership.workspace_id);
      else plan.leave.push(membership);
    }
    return plan;
  }

  #mailClosure(email: string, context: MailContext): boolean {
    if (!this.#deps.mailer) return false;
    sendInBackground(
      this.#deps.mailer,
      {
        to: email,
        subject: 'Your Enclave account was closed',
        text:
          'Your Enclave account was closed at your request, and every session of it was signed out.\n\n' +
          'Workspaces only you belonged to were deleted; they are kept for the retention period and then destroyed. ' +
          'Your name, this address and your sign-in methods have been removed from the server.\n\n' +
          'If this was not you, contact the server operator at once.',
      },
      context,
    );
    return true;
  }
}
