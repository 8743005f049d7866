import type { Actor, RequestMeta, UserMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { Role } from '../access/permissions.ts';
import type { AuditEventInput } from '../audit/event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import type { IdentityService } from '../identity/service.ts';
import type { WorkspaceService } from '../workspaces/service.ts';
import type { Member, Membership } from './schema.ts';
import { countOwners, deleteMember, findMember, insertMember, listMembers, listMemberships, updateMemberRole, type MemberRow } from './store.ts';

export interface MemberServiceDeps {
  controlDb: SqliteDatabase;
  workspaces: WorkspaceService;
  identity: Pick<IdentityService, 'user' | 'userByEmail'>;
  /** Membership changes are recorded in the workspace's own log, where its owners read them. */
  workspaceAudit(workspaceId: string): AuditLog;
  now?: () => Date;
}

/**
 * Who belongs to which workspace, with which role. A workspace is the organization people
 * sign in to; the membership lives beside better-auth's users in the control database and
 * is read on every request, so a removal or a lowered role holds from the next one (ACC-06).
 */
export class MemberService {
  readonly #deps: MemberServiceDeps;
  readonly #now: () => Date;

  constructor(deps: MemberServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * The role an actor holds in a workspace, or undefined when it holds none there. A key
   * belongs to one workspace; a person's role is read from their membership; operators at
   * the command line hold the keys to everything, so they act as owners.
   */
  roleIn(workspaceId: string, actor: Actor): Role | undefined {
    switch (actor.type) {
      case 'user':
        return this.#memberRole(workspaceId, actor.id);
      // Keys and agents of a deleted workspace never get this far: authenticating them checks the workspace (DAT-02).
      case 'api_key':
        return actor.workspaceId === workspaceId ? actor.role : undefined;
      case 'agent':
        return actor.workspaceId === workspaceId ? 'agent-only' : undefined;
      case 'operator':
        return 'owner';
      default:
        return undefined;
    }
  }

  list(workspaceId: string): Member[] {
    return listMembers(this.#deps.controlDb, workspaceId).map((row) => this.#toMember(row));
  }

  /** The workspaces a person belongs to, with their role in each. */
  workspacesOf(userId: string): Membership[] {
    return listMemberships(this.#deps.controlDb, userId)
      .filter((row) => this.#deps.workspaces.exists(row.workspace_id))
      .map((row) => ({ ...this.#deps.workspaces.get(row.workspace_id), role: row.role as Role }));
  }

  /** A signed-in person creates a workspace (its own key seed and encrypted database) and becomes its owner. */
  async createWorkspace(name: string, meta: UserMeta): Promise<Membership> {
    const workspace = await this.#deps.workspaces.create(name, meta);
    await this.#insert(workspace.id, meta.actor.id, 'owner', meta);
    return { ...workspace, role: 'owner' };
  }

  /**
   * Adds an existing account. Only an account whose address is verified can be added:
   * anyone may sign up with any address, and must not inherit access meant for its owner.
   */
  async add(workspaceId: string, email: string, role: Role, meta: RequestMeta): Promise<Member> {
    this.#deps.workspaces.get(workspaceId);
    const user = this.#deps.identity.userByEmail(email);
    if (!user) throw new AppError(404, 'user_not_found', 'no account has that email address');
    if (!user.emailVerified) throw new AppError(409, 'email_not_verified', 'that account has not verified its email address');
    await this.#insert(workspaceId, user.id, role, meta);
    return this.#toMember(findMember(this.#deps.controlDb, workspaceId, user.id)!);
  }

  /**
   * A signed-in person joins through an invitation. `claim` consumes the invitation (or
   * throws) inside the same transaction that adds the membership, so a used, raced or
   * refused invitation adds nobody, and a refused membership leaves the invitation unused.
   */
  async joinByInvitation(claim: () => { workspaceId: string; role: Role }, meta: UserMeta): Promise<Membership> {
    const db = this.#deps.controlDb;
    const at = this.#now().toISOString();
    const { workspaceId, role } = db.transaction(() => {
      const invited = claim();
      const row = { workspace_id: invited.workspaceId, user_id: meta.actor.id, role: invited.role, created_at: at, updated_at: at };
      if (!insertMember(db, row)) throw new AppError(409, 'already_a_member', 'you are already a member of this workspace');
      return invited;
    })();
    await this.#audit(workspaceId, auditEvent(meta, 'member.add', { type: 'user', id: meta.actor.id }, { workspaceId, role, via: 'invitation' }));
    return { ...this.#deps.workspaces.get(workspaceId), role };
  }

  /**
   * Just-in-time membership (IDN-06): a person signed in through the workspace's own SSO
   * connection joins with its default role, unless already a member, whose role stays as it
   * is. The connection is the actor. Returns whether they were added.
   */
  async joinBySso(workspaceId: string, userId: string, role: Role, connectionId: string, meta: RequestMeta): Promise<boolean> {
    const at = this.#now().toISOString();
    if (!insertMember(this.#deps.controlDb, { workspace_id: workspaceId, user_id: userId, role, created_at: at, updated_at: at })) return false;
    const actor = { type: 'system' as const, id: `sso:${connectionId}` };
    await this.#audit(workspaceId, auditEvent({ ...meta, actor }, 'member.add', { type: 'user', id: userId }, { workspaceId, role, via: 'sso' }));
    return true;
  }

  /** A person's role in the workspace, read fresh; undefined when they are no member. */
  roleOf(workspaceId: string, userId: string): Role | undefined {
    return this.#memberRole(workspaceId, userId);
  }

  /**
   * IDN-06: the workspace's directory (SCIM) makes a person a member with a role, or
   * changes the role they have. Owners are out of its reach both ways: it never grants
   * owner and never changes an owner's membership.
   */
  async provision(workspaceId: string, userId: string, role: Role, meta: RequestMeta): Promise<void> {
    const db = this.#deps.controlDb;
    const at = this.#now().toISOString();
    const from = db.transaction(() => {
      const member = findMember(db, workspaceId, userId);
      if (role === 'owner' || member?.role === 'owner') throw new AppError(403, 'owner_not_provisioned', 'owners are managed in Enclave, not through SCIM');
      if (!member) insertMember(db, { workspace_id: workspaceId, user_id: userId, role, created_at: at, updated_at: at });
      else if (member.role !== role) updateMemberRole(db, workspaceId, userId, role, at);
      return member?.role;
    })();
    if (from === undefined) await this.#audit(workspaceId, auditEvent(meta, 'member.add', { type: 'user', id: userId }, { workspaceId, role, via: 'scim' }));
    else if (from !== role) await this.#audit(workspaceId, auditEvent(meta, 'member.role_change', { type: 'user', id: userId }, { workspaceId, from, to: role, via: 'scim' }));
  }

  /** IDN-06: the directory takes a person out of the workspace (never an owner); from their next request on. */
  async deprovision(workspaceId: string, userId: string, meta: RequestMeta): Promise<void> {
    const db = this.#deps.controlDb;
    const role = db.transaction(() => {
      const member = findMember(db, workspaceId, userId);
      if (member?.role === 'owner') throw new AppError(403, 'owner_not_provisioned', 'owners are managed in Enclave, not through SCIM');
      if (member) deleteMember(db, workspaceId, userId);
      return member?.role;
    })();
    if (role !== undefined) await this.#audit(workspaceId, auditEvent(meta, 'member.remove', { type: 'user', id: userId }, { workspaceId, role, via: 'scim' }));
  }

  async changeRole(workspaceId: string, userId: string, role: Role, meta: RequestMeta): Promise<Member> {
    const db = this.#deps.controlDb;
    const from = db.transaction(() => {
      const member = this.#managed(workspaceId, userId, meta.actor);
      if (role === 'owner' && this.roleIn(workspaceId, meta.actor) !== 'owner') {
        throw new AppError(403, 'owner_required', 'only an owner can make someone an owner');
      }
      if (member.role === 'owner' && role !== 'owner') this.#keepAnOwner(workspaceId);
      updateMemberRole(db, workspaceId, userId, role, this.#now().toISOString());
      return member.role;
    })();
    if (from !== role) {
      await this.#audit(workspaceId, auditEvent(meta, 'member.role_change', { type: 'user', id: userId }, { workspaceId, from, to: role }));
    }
    return this.#toMember(findMember(db, workspaceId, userId)!);
  }

  async remove(workspaceId: string, userId: string, meta: RequestMeta): Promise<void> {
    const db = this.#deps.controlDb;
    const role = db.transaction(() => {
      const member = this.#managed(workspaceId, userId, meta.actor);
      if (member.role === 'owner') this.#keepAnOwner(workspaceId);
      deleteMember(db, workspaceId, userId);
      return member.role;
    })();
    await this.#audit(workspaceId, auditEvent(meta, 'member.remove', { type: 'user', id: userId }, { workspaceId, role }));
  }

  async #insert(workspaceId: string, userId: string, role: Role, meta: RequestMeta): Promise<void> {
    const at = this.#now().toISOString();
    if (!insertMember(this.#deps.controlDb, { workspace_id: workspaceId, user_id: userId, role, created_at: at, updated_at: at })) {
      throw new AppError(409, 'already_a_member', 'that person is already a member of this workspace');
    }
    await this.#audit(workspaceId, auditEvent(meta, 'member.add', { type: 'user', id: userId }, { workspaceId, role }));
  }

  /** The member to change, if the actor may change them: only an owner touches an owner. */
  #managed(workspaceId: string, userId: string, actor: Actor): MemberRow {
    const member = findMember(this.#deps.controlDb, workspaceId, userId);
    if (!member) throw new AppError(404, 'member_not_found', 'no member with that id in this workspace');
    if (member.role === 'owner' && this.roleIn(workspaceId, actor) !== 'owner') {
      throw new AppError(403, 'owner_required', 'only an owner can change or remove an owner');
    }
    return member;
  }

  #keepAnOwner(workspaceId: string): void {
    if (countOwners(this.#deps.controlDb, workspaceId) <= 1) {
      throw new AppError(409, 'last_owner', 'a workspace keeps at least one owner; make someone else owner first');
    }
  }

  /** Whether the person owns the workspace, deleted or not: only owners may restore a deleted one (DAT-02). */
  isOwnerOf(workspaceId: string, userId: string): boolean {
    return findMember(this.#deps.controlDb, workspaceId, userId)?.role === 'owner';
  }

  /** Read on every request, never cached: a removal or a lowered role holds from the next request. */
  #memberRole(workspaceId: string, userId: string): Role | undefined {
    const row = findMember(this.#deps.controlDb, workspaceId, userId);
    return row && this.#deps.workspaces.exists(workspaceId) ? (row.role as Role) : undefined;
  }

  #toMember(row: MemberRow): Member {
    const user = this.#deps.identity.user(row.user_id);
    return {
      userId: row.user_id,
      email: user?.email ?? '',
      name: user?.name ?? '',
      role: row.role as Role,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async #audit(workspaceId: string, event: AuditEventInput): Promise<void> {
    await this.#deps.workspaceAudit(workspaceId).record(event);
  }
}
