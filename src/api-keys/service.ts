import type { Actor, RequestMeta } from '../access/actor.ts';
import type { Role } from '../access/permissions.ts';
import type { AuditEventInput } from '../audit/event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { hashToken, issueToken, tokenKind } from '../core/tokens.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { ApiKey, CreateApiKeyInput } from './schema.ts';
import { findApiKeyByHash, insertApiKey, listApiKeys, revokeApiKey, touchApiKey, type ApiKeyRow } from './store.ts';

/** last_used_at is a hint for people, not an audit record: write it at most once a minute per key. */
const TOUCH_INTERVAL_MS = 60_000;

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    hint: row.hint,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export interface ApiKeyServiceDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  /** The workspace's own log: its owners must see who minted or revoked access to it. */
  workspaceAudit(workspaceId: string): AuditLog;
  workspaceExists(workspaceId: string): boolean;
  /** The caller's own role in the workspace (operators count as owners). */
  roleOf(workspaceId: string, actor: Actor): Role | undefined;
  now?: () => Date;
}

export class ApiKeyService {
  readonly #deps: ApiKeyServiceDeps;
  readonly #now: () => Date;

  constructor(deps: ApiKeyServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  async create(workspaceId: string, input: CreateApiKeyInput, meta: RequestMeta): Promise<{ apiKey: ApiKey; token: string }> {
    const now = this.#now();
    if (input.expiresAt && new Date(input.expiresAt) <= now) {
      throw new AppError(400, 'invalid_expiry', 'expiresAt must be in the future');
    }
    this.#requireOwnerFor(workspaceId, input.role, meta, 'only an owner can create an owner key');
    const issued = issueToken('enk');
    const row = {
      id: newId('key'),
      workspace_id: workspaceId,
      name: input.name,
      role: input.role,
      token_hash: issued.hash,
      hint: issued.hint,
      created_at: now.toISOString(),
      expires_at: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
    };
    insertApiKey(this.#deps.controlDb, row);
    await this.#audit(workspaceId, auditEvent(meta, 'api_key.create', { type: 'api_key', id: row.id }, { workspaceId, role: input.role, name: input.name }));
    return { apiKey: toApiKey({ ...row, last_used_at: null, revoked_at: null }), token: issued.token };
  }

  list(workspaceId: string): ApiKey[] {
    return listApiKeys(this.#deps.controlDb, workspaceId).map(toApiKey);
  }

  async revoke(workspaceId: string, keyId: string, meta: RequestMeta): Promise<void> {
    const target = listApiKeys(this.#deps.controlDb, workspaceId).find((key) => key.id === keyId);
    if (target) this.#requireOwnerFor(workspaceId, target.role as Role, meta, 'only an owner can revoke an owner key');
    const revoked = revokeApiKey(this.#deps.controlDb, workspaceId, keyId, this.#now().toISOString());
    if (!revoked) throw new AppError(404, 'api_key_not_found', 'no active API key with that id in this workspace');
    await this.#audit(workspaceId, auditEvent(meta, 'api_key.revoke', { type: 'api_key', id: keyId }, { workspaceId }));
  }

  /** The metadata of one key of the workspace, for example the one making the request. */
  get(workspaceId: string, keyId: string): ApiKey {
    const row = listApiKeys(this.#deps.controlDb, workspaceId).find((key) => key.id === keyId);
    if (!row) throw new AppError(404, 'api_key_not_found', 'no API key with that id in this workspace');
    return toApiKey(row);
  }

  /**
   * A key acts with its role, so handing one out is granting that role: like membership,
   * owner-level access is granted or taken away only by an owner. Without this an admin
   * could mint an owner key and use it to do what only owners may.
   */
  #requireOwnerFor(workspaceId: string, role: Role, meta: RequestMeta, message: string): void {
    if (role === 'owner' && this.#deps.roleOf(workspaceId, meta.actor) !== 'owner') {
      throw new AppError(403, 'owner_required', message);
    }
  }

  async #audit(workspaceId: string, event: AuditEventInput): Promise<void> {
    await Promise.all([this.#deps.controlAudit.record(event), this.#deps.workspaceAudit(workspaceId).record(event)]);
  }

  /** The actor a presented key stands for, or undefined for any key that must not work. */
  authenticate(token: string): Actor | undefined {
    if (tokenKind(token) !== 'enk') return undefined;
    const row = findApiKeyByHash(this.#deps.controlDb, hashToken(token));
    if (!row || row.revoked_at) return undefined;
    const now = this.#now();
    if (row.expires_at && new Date(row.expires_at) <= now) return undefined;
    if (!this.#deps.workspaceExists(row.workspace_id)) return undefined;
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS) {
      touchApiKey(this.#deps.controlDb, row.id, now.toISOString());
    }
    return { type: 'api_key', id: row.id, workspaceId: row.workspace_id, role: row.role as Role };
  }
}
