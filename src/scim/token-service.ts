import type { Actor, RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditEventInput } from '../audit/event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { hashToken, issueToken, tokenKind } from '../core/tokens.ts';
import type { CreateScimTokenInput, ScimToken } from './schema.ts';
import { findScimTokenByHash, insertScimToken, listScimTokens, revokeScimToken, touchScimToken, type ScimTokenRow } from './token-store.ts';

/** last_used_at is a hint for people: written at most once a minute per token. */
const TOUCH_INTERVAL_MS = 60_000;

export interface ScimTokenServiceDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  workspaceAudit(workspaceId: string): AuditLog;
  workspaceExists(workspaceId: string): boolean;
  now?: () => Date;
}

function toScimToken(row: ScimTokenRow): ScimToken {
  return { id: row.id, name: row.name, hint: row.hint, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}

/**
 * The bearer tokens a workspace's identity provider uses for SCIM (IDN-06). A token names
 * its workspace and can do nothing but provision that workspace's people: it is no API
 * key, holds no role, and the workspace gate knows no role for it. Like API keys, 256
 * random bits shown once and kept only as SHA-256 (CRY-02).
 */
export class ScimTokenService {
  readonly #deps: ScimTokenServiceDeps;
  readonly #now: () => Date;

  constructor(deps: ScimTokenServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  async create(workspaceId: string, input: CreateScimTokenInput, meta: RequestMeta): Promise<{ scimToken: ScimToken; token: string }> {
    const issued = issueToken('ens');
    const row = { id: newId('scim'), workspace_id: workspaceId, name: input.name, token_hash: issued.hash, hint: issued.hint, created_at: this.#now().toISOString() };
    insertScimToken(this.#deps.controlDb, row);
    await this.#audit(workspaceId, auditEvent(meta, 'scim_token.create', { type: 'scim_token', id: row.id }, { workspaceId, name: input.name }));
    return { scimToken: toScimToken({ ...row, last_used_at: null, revoked_at: null }), token: issued.token };
  }

  list(workspaceId: string): ScimToken[] {
    return listScimTokens(this.#deps.controlDb, workspaceId).map(toScimToken);
  }

  async revoke(workspaceId: string, tokenId: string, meta: RequestMeta): Promise<void> {
    if (!revokeScimToken(this.#deps.controlDb, workspaceId, tokenId, this.#now().toISOString())) {
      throw new AppError(404, 'scim_token_not_found', 'no active SCIM token with that id in this workspace');
    }
    await this.#audit(workspaceId, auditEvent(meta, 'scim_token.revoke', { type: 'scim_token', id: tokenId }, { workspaceId }));
  }

  /** The actor a presented SCIM token stands for, or undefined for anything else. */
  authenticate(token: string): Actor | undefined {
    if (tokenKind(token) !== 'ens') return undefined;
    const row = findScimTokenByHash(this.#deps.controlDb, hashToken(token));
    if (!row || row.revoked_at || !this.#deps.workspaceExists(row.workspace_id)) return undefined;
    const now = this.#now();
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS) touchScimToken(this.#deps.controlDb, row.id, now.toISOString());
    return { type: 'scim_token', id: row.id, workspaceId: row.workspace_id };
  }

  async #audit(workspaceId: string, event: AuditEventInput): Promise<void> {
    await Promise.all([this.#deps.controlAudit.record(event), this.#deps.workspaceAudit(workspaceId).record(event)]);
  }
}
