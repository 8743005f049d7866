import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { Role } from '../access/permissions.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import type { IdentityService } from '../identity/service.ts';
import type { ProvisionedAccounts } from '../identity/provisioned-accounts.ts';
import type { MemberService } from '../members/service.ts';
import { userNameFilter } from './filter.ts';
import { applyPatch } from './patch.ts';
import { MAX_RESULTS, type ProvisionedRole, type ScimPatch, type ScimUserInput } from './schema.ts';
import { accountNameOf, fieldsOf, userNameOf, type ScimUser, type ScimUserFields } from './user-model.ts';
import { countScimUsers, deleteScimUser, findScimUser, listScimUsers, upsertScimUser, type ScimUserRow } from './user-store.ts';

export interface ScimUserServiceDeps {
  controlDb: SqliteDatabase;
  accounts: ProvisionedAccounts;
  identity: Pick<IdentityService, 'userByEmail' | 'createVerifiedUser'>;
  members: Pick<MemberService, 'roleOf' | 'provision' | 'deprovision'>;
  workspaceAudit(workspaceId: string): AuditLog;
  now?: () => Date;
}

export interface ScimUserPage {
  total: number;
  startIndex: number;
  users: ScimUser[];
}

function toUser(row: ScimUserRow): ScimUser {
  return {
    userId: row.user_id,
    userName: row.user_name,
    externalId: row.external_id,
    givenName: row.given_name,
    familyName: row.family_name,
    formatted: row.formatted_name,
    displayName: row.display_name,
    role: row.role as ProvisionedRole,
    active: row.active === 1,
    managed: row.managed === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(workspaceId: string, user: ScimUser, deletedAt: string | null): ScimUserRow {
  return {
    workspace_id: workspaceId,
    user_id: user.userId,
    user_name: user.userName,
    external_id: user.externalId,
    given_name: user.givenName,
    family_name: user.familyName,
    formatted_name: user.formatted,
    display_name: user.displayName,
    role: user.role,
    active: user.active ? 1 : 0,
    managed: user.managed ? 1 : 0,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    deleted_at: deletedAt,
  };
}

const notFound = () => new AppError(404, 'not_found', 'no such user in this workspace');
const ownerRefused = () => new AppError(403, 'owner_not_provisioned', 'this person is an owner of the workspace; owners are managed in Enclave, not through SCIM');

const FIELD_NAMES = ['externalId', 'givenName', 'familyName', 'formatted', 'displayName', 'role', 'active'] as const;

/**
 * SCIM Users of one workspace (IDN-06). A provisioned person is a member with the role the
 * directory asks for (viewer by default, never owner). An account the directory created
 * is managed by the workspace: deactivating or deleting it disables the account and
 * revokes everything it holds at once (src/identity/deprovision.ts). A person who had an
 * account already is only ever added to or removed from this workspace. Owners are out
 * of the directory's reach. Every change is in the workspace log; account changes also
 * in the control log.
 */
export class ScimUserService {
  readonly #deps: ScimUserServiceDeps;
  readonly #now: () => Date;

  constructor(deps: ScimUserServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  list(workspaceId: string, query: { filter?: string; startIndex?: number; count?: number }): ScimUserPage {
    const userName = query.filter === undefined ? null : userNameFilter(query.filter);
    const startIndex = Math.max(1, query.startIndex ?? 1);
    const count = Math.min(MAX_RESULTS, Math.max(0, query.count ?? MAX_RESULTS));
    const db = this.#deps.controlDb;
    return {
      total: countScimUsers(db, workspaceId, userName),
      startIndex,
      users: count === 0 ? [] : listScimUsers(db, workspaceId, userName, startIndex - 1, count).map(toUser),
    };
  }

  get(workspaceId: string, userId: string): ScimUser {
    const row = findScimUser(this.#deps.controlDb, workspaceId, userId);
    if (!row || row.deleted_at !== null) throw notFound();
    return toUser(row);
  }

  async create(workspaceId: string, input: ScimUserInput, meta: RequestMeta): Promise<ScimUser> {
    const { identity, members } = this.#deps;
    const userName = userNameOf(input.userName);
    const fields = fieldsOf(input);
    const account = identity.userByEmail(userName);
    const record = account ? findScimUser(this.#deps.controlDb, workspaceId, account.id) : undefined;
    if (record && record.deleted_at === null) throw new AppError(409, 'uniqueness', 'a user with this userName is already provisioned in this workspace');
    const currentRole = account ? members.roleOf(workspaceId, account.id) : undefined;
    if (currentRole === 'owner') throw ownerRefused();
    const at = this.#now().toISOString();
    const wanted: ScimUserFields = { ...fields, role: fields.role ?? currentRole ?? 'viewer', active: fields.active ?? true };
    // Managed: an account this workspace's directory created (now, or before a delete), or one
    // whose address nobody had proven, which the directory now vouches for and so claims.
    const managed = account ? record?.managed === 1 || !account.emailVerified : true;
    if (account && !account.emailVerified) await this.#deps.accounts.claimUnverified(account.id, meta, { via: 'scim', workspaceId });
    const userId = account?.id ?? (await this.#createAccount(userName, accountNameOf({ ...wanted, userName }), input.password, workspaceId, meta));
    const user: ScimUser = { userId, userName, managed, ...wanted, createdAt: at, updatedAt: at };
    const revoked = await this.#enforce(workspaceId, undefined, user, meta);
    upsertScimUser(this.#deps.controlDb, toRow(workspaceId, user, null));
    await this.#audit(workspaceId, auditEvent(meta, 'scim.user.create', { type: 'user', id: userId }, { workspaceId, managed, role: user.role, active: user.active, ...revoked }));
    return user;
  }

  /**
   * A new account, verified because the directory vouches for the address. With a
   * password it can sign in with it; without one, by magic link or the workspace's SSO.
   * A password sent for a person who has an account already is ignored: the workspace
   * does not own that account.
   */
  async #createAccount(email: string, name: string, password: string | undefined, workspaceId: string, meta: RequestMeta): Promise<string> {
    if (password === undefined) return this.#deps.accounts.create(email, name, meta, { via: 'scim', workspaceId });
    try {
      return (await this.#deps.identity.createVerifiedUser({ email, name, password }, meta)).id;
    } catch (error) {
      // Hashing the password yields to other requests: one creating the same person first wins, the other is told so.
      if (this.#deps.identity.userByEmail(email)) throw new AppError(409, 'uniqueness', 'a user with this userName was created meanwhile; try again');
      throw error;
    }
  }

  /** PUT: the body replaces what the directory set; `active` and the role stay as they are when the body leaves them out. */
  async replace(workspaceId: string, userId: string, input: ScimUserInput, meta: RequestMeta): Promise<ScimUser> {
    const before = this.get(workspaceId, userId);
    if (input.password !== undefined) throw new AppError(400, 'mutability', 'passwords are set only when an account is created (changePassword is not supported)');
    if (userNameOf(input.userName) !== before.userName) throw new AppError(400, 'mutability', 'userName (the email address) cannot be changed through SCIM');
    const fields = fieldsOf(input);
    return this.#update(workspaceId, before, { ...fields, role: fields.role ?? before.role, active: fields.active ?? before.active }, meta);
  }

  async patch(workspaceId: string, userId: string, patch: ScimPatch, meta: RequestMeta): Promise<ScimUser> {
    const before = this.get(workspaceId, userId);
    return this.#update(workspaceId, before, applyPatch(before, patch.Operations), meta);
  }

  async delete(workspaceId: string, userId: string, meta: RequestMeta): Promise<void> {
    const user = this.get(workspaceId, userId);
    const { accounts, members, controlDb: db } = this.#deps;
    if (members.roleOf(workspaceId, userId) === 'owner') throw ownerRefused();
    const details: Record<string, unknown> = { workspaceId, managed: user.managed };
    if (user.managed) {
      const revoked = await accounts.disable(userId, 'scim_delete', meta, { workspaceId });
      Object.assign(details, { sessionsEnded: revoked.sessions, linksInvalidated: revoked.links });
    }
    await members.deprovision(workspaceId, userId, meta);
    const at = this.#now().toISOString();
    // A managed account's record stays as a tombstone: provisioning the person again finds the account this workspace manages.
    if (user.managed) upsertScimUser(db, toRow(workspaceId, { ...user, active: false, updatedAt: at }, at));
    else deleteScimUser(db, workspaceId, userId);
    await this.#audit(workspaceId, auditEvent(meta, 'scim.user.delete', { type: 'user', id: userId }, details));
  }

  async #update(workspaceId: string, before: ScimUser, wanted: ScimUserFields, meta: RequestMeta): Promise<ScimUser> {
    const changed = FIELD_NAMES.filter((field) => before[field] !== wanted[field]);
    if (changed.length === 0) return before;
    const after: ScimUser = { ...before, ...wanted, updatedAt: this.#now().toISOString() };
    const revoked = await this.#enforce(workspaceId, before, after, meta);
    upsertScimUser(this.#deps.controlDb, toRow(workspaceId, after, null));
    const action = before.active === after.active ? 'scim.user.update' : after.active ? 'scim.user.reactivate' : 'scim.user.deactivate';
    await this.#audit(workspaceId, auditEvent(meta, action, { type: 'user', id: after.userId }, { workspaceId, changed, managed: after.managed, ...revoked }));
    return after;
  }

  /**
   * Makes membership and account follow the record: an active person is a member with
   * the record's role (and a managed account may sign in); an inactive one is no member,
   * and a managed account is disabled with everything it holds revoked. An owner's
   * membership is never touched.
   */
  async #enforce(workspaceId: string, before: ScimUser | undefined, after: ScimUser, meta: RequestMeta): Promise<Record<string, number>> {
    const { accounts, members } = this.#deps;
    const current: Role | undefined = members.roleOf(workspaceId, after.userId);
    if (current === 'owner') {
      if (before && (before.active !== after.active || before.role !== after.role)) throw ownerRefused();
      if (after.managed) accounts.rename(after.userId, accountNameOf(after));
      return {};
    }
    const details = { workspaceId, via: 'scim' };
    if (after.managed) accounts.rename(after.userId, accountNameOf(after));
    if (after.active) {
      if (after.managed) await accounts.enable(after.userId, meta, details);
      await members.provision(workspaceId, after.userId, after.role, meta);
      return {};
    }
    if (before && !before.active) return {};
    let revoked: Record<string, number> = {};
    if (after.managed) {
      const ended = await accounts.disable(after.userId, 'scim_deactivate', meta, { workspaceId });
      revoked = { sessionsEnded: ended.sessions, linksInvalidated: ended.links };
    }
    await members.deprovision(workspaceId, after.userId, meta);
    return revoked;
  }

  async #audit(workspaceId: string, event: Parameters<AuditLog['record']>[0]): Promise<void> {
    await this.#deps.workspaceAudit(workspaceId).record(event);
  }
}
