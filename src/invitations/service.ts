import type { RequestMeta, UserMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { Role } from '../access/permissions.ts';
import type { AuditEventInput } from '../audit/event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { hashToken, newSecret } from '../core/tokens.ts';
import { lifetimeInWords, sendInBackground, type MailContext, type Mailer } from '../email/mailer.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Membership } from '../members/schema.ts';
import type { MemberService } from '../members/service.ts';
import type { WorkspaceService } from '../workspaces/service.ts';
import type { CreateInvitation, Invitation, PendingInvitation } from './schema.ts';
import { claimInvitation, claimInvitationById, findPendingByEmail, listPendingForEmail, findPendingById, insertInvitation, listPendingInvitations, markRevoked, sweepInvitations, type InvitationRow } from './store.ts';

export interface InvitationDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  workspaces: Pick<WorkspaceService, 'exists' | 'get'>;
  members: Pick<MemberService, 'roleIn' | 'list' | 'joinByInvitation'>;
  identity: Pick<IdentityService, 'user'>;
  mailer: Mailer | undefined;
  workspaceAudit(workspaceId: string): AuditLog;
  ttlSeconds: number;
  now?: () => Date;
}

/** How long expired invitations stay in the table before a sweep removes them. */
const KEEP_EXPIRED_MS = 30 * 86_400_000;

/** One answer for unknown, used, expired, revoked and mismatched invitations: the answer says nothing about which. */
export const invalidInvitation = () =>
  new AppError(400, 'invitation_invalid', 'this invitation does not work: it may have been used, revoked or expired, or be meant for another address');

/**
 * Invitations by email (ACC-06, CRY-02): a manager invites an address with a role; the mail
 * carries a 256-bit token stored only as its SHA-256. The invitation works once, until it
 * expires or is revoked, and only for a signed-in person whose verified address is the one
 * invited; accepting consumes it in the same transaction that adds the membership.
 */
export class InvitationService {
  readonly #deps: InvitationDeps;
  readonly #now: () => Date;

  constructor(deps: InvitationDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  list(workspaceId: string): Invitation[] {
    return listPendingInvitations(this.#deps.controlDb, workspaceId, this.#now().toISOString()).map(toInvitation);
  }

  async create(workspaceId: string, input: CreateInvitation, meta: RequestMeta, context: MailContext): Promise<Invitation> {
    const { controlDb, mailer, members, ttlSeconds } = this.#deps;
    this.#deps.workspaces.get(workspaceId);
    if (input.role === 'owner' && members.roleIn(workspaceId, meta.actor) !== 'owner') {
      throw new AppError(403, 'owner_required', 'only an owner can invite an owner');
    }
    if (!mailer) throw new AppError(409, 'email_not_configured', 'this server cannot send mail, so invitations are not available; add existing accounts as members instead');
    const email = input.email.toLowerCase();
    if (members.list(workspaceId).some((member) => member.email.toLowerCase() === email)) {
      throw new AppError(409, 'already_a_member', 'that person is already a member of this workspace');
    }
    const now = this.#now();
    const at = now.toISOString();
    const token = newSecret().secret;
    const row: InvitationRow = {
      id: newId('inv'),
      workspace_id: workspaceId,
      email,
      role: input.role,
      token_hash: hashToken(token),
      invited_by: `${meta.actor.type}:${meta.actor.id}`,
      created_at: at,
      expires_at: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
      accepted_at: null,
      accepted_by: null,
      revoked_at: null,
    };
    controlDb.transaction(() => {
      sweepInvitations(controlDb, new Date(now.getTime() - KEEP_EXPIRED_MS).toISOString());
      if (findPendingByEmail(controlDb, workspaceId, email, at)) {
        throw new AppError(409, 'invitation_pending', 'that address already has a pending invitation; revoke it first to send a new one');
      }
      insertInvitation(controlDb, row);
    })();
    // A name is one line in the subject and body, whatever a manager typed.
    const name = this.#deps.workspaces.get(workspaceId).name.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ');
    sendInBackground(
      mailer,
      {
        to: email,
        subject: `You are invited to the ${name} workspace on Enclave`,
        text:
          `You are invited to join the workspace "${name}" on Enclave as ${input.role}.\n\n` +
          `Sign in with this address (or create an account with it), then open this link. It works once, within ${lifetimeInWords(ttlSeconds)}:\n\n` +
          `${context.origin}/invitations/accept?token=${token}\n\nIf you did not expect it, ignore this mail: nothing happens without the link.`,
      },
      context,
    );
    await this.#audit(workspaceId, auditEvent(meta, 'invitation.create', { type: 'invitation', id: row.id }, { workspaceId, role: input.role }));
    return toInvitation(row);
  }

  async revoke(workspaceId: string, invitationId: string, meta: RequestMeta): Promise<void> {
    const { controlDb, members } = this.#deps;
    const at = this.#now().toISOString();
    const role = controlDb.transaction(() => {
      const invitation = findPendingById(controlDb, workspaceId, invitationId, at);
      if (!invitation) throw new AppError(404, 'invitation_not_found', 'no pending invitation with that id in this workspace');
      if (invitation.role === 'owner' && members.roleIn(workspaceId, meta.actor) !== 'owner') {
        throw new AppError(403, 'owner_required', 'only an owner can revoke an invitation to be owner');
      }
      markRevoked(controlDb, workspaceId, invitationId, at);
      return invitation.role;
    })();
    await this.#audit(workspaceId, auditEvent(meta, 'invitation.revoke', { type: 'invitation', id: invitationId }, { workspaceId, role }));
  }

  /**
   * The invitations waiting for the signed-in person's verified address. They work without
   * the mailed token, since the address is what they were sent to: someone who signed up or
   * verified their address after following the link finds them here.
   */
  pendingFor(meta: UserMeta): PendingInvitation[] {
    const { controlDb, identity, workspaces } = this.#deps;
    const user = identity.user(meta.actor.id);
    if (!user?.emailVerified) return [];
    return listPendingForEmail(controlDb, user.email.toLowerCase(), this.#now().toISOString())
      .filter((row) => workspaces.exists(row.workspace_id))
      .map((row) => ({ ...toInvitation(row), workspace: { id: row.workspace_id, name: workspaces.get(row.workspace_id).name } }));
  }

  /** The signed-in person accepts with the mailed token and becomes a member with the invited role. */
  accept(token: string, meta: UserMeta): Promise<Membership> {
    const tokenHash = hashToken(token);
    // A prefix of the hash groups retries of one token without keeping anything usable.
    return this.#accept((email, now) => claimInvitation(this.#deps.controlDb, tokenHash, email, meta.actor.id, now), { type: 'invitation_token', id: tokenHash.slice(0, 16) }, meta);
  }

  /** The signed-in person accepts one of their pending invitations (see pendingFor). */
  acceptById(invitationId: string, meta: UserMeta): Promise<Membership> {
    return this.#accept((email, now) => claimInvitationById(this.#deps.controlDb, invitationId, email, meta.actor.id, now), { type: 'invitation', id: invitationId }, meta);
  }

  async #accept(claim: (email: string, now: string) => InvitationRow | undefined, target: { type: string; id: string }, meta: UserMeta): Promise<Membership> {
    const { identity, members, workspaces } = this.#deps;
    const user = identity.user(meta.actor.id);
    let claimed: InvitationRow | undefined;
    try {
      const membership = await members.joinByInvitation(() => {
        if (!user?.emailVerified) throw invalidInvitation();
        claimed = claim(user.email.toLowerCase(), this.#now().toISOString());
        if (!claimed || !workspaces.exists(claimed.workspace_id)) throw invalidInvitation();
        return { workspaceId: claimed.workspace_id, role: claimed.role as Role };
      }, meta);
      await this.#audit(
        membership.id,
        auditEvent(meta, 'invitation.accept', { type: 'invitation', id: claimed!.id }, { workspaceId: membership.id, role: membership.role }),
      );
      return membership;
    } catch (error) {
      if (error instanceof AppError && error.code === 'invitation_invalid') {
        await this.#deps.controlAudit.record(auditEvent(meta, 'invitation.accept', target, {}, 'failure'));
      }
      throw error;
    }
  }

  async #audit(workspaceId: string, event: AuditEventInput): Promise<void> {
    await this.#deps.workspaceAudit(workspaceId).record(event);
  }
}

function toInvitation(row: InvitationRow): Invitation {
  return { id: row.id, email: row.email, role: row.role as Role, createdAt: row.created_at, expiresAt: row.expires_at };
}
