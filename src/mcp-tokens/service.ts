import type { Actor, RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import { can, type Role } from '../access/permissions.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { hashToken, issueToken, tokenKind } from '../core/tokens.ts';
import { isMcpScope, type McpScope } from '../mcp/scopes.ts';
import type { CreateMcpTokenInput, McpToken } from './schema.ts';
import { findMcpToken, findMcpTokenByHash, insertMcpToken, listMcpTokensOf, revokeMcpToken, touchMcpToken, type McpTokenRow } from './store.ts';

/** last_used_at is a hint for people, not an audit record: write it at most once a minute per token. */
const TOUCH_INTERVAL_MS = 60_000;
/** A personal token is a standing credential; a year bounds how long a forgotten one keeps working. */
const MAX_LIFETIME_MS = 366 * 86_400_000;

function scopesOf(row: McpTokenRow): McpScope[] {
  return row.scopes.split(' ').filter(isMcpScope);
}

function toMcpToken(row: McpTokenRow): McpToken {
  return {
    id: row.id,
    name: row.name,
    scopes: scopesOf(row),
    hint: row.hint,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export interface McpTokenServiceDeps {
  controlDb: SqliteDatabase;
  /** The workspace's own log: its owners see who opened AI access to it and who closed it. */
  workspaceAudit(workspaceId: string): AuditLog;
  workspaceExists(workspaceId: string): boolean;
  /** IDN-06: a disabled account's tokens stop working even before anything revokes them. */
  accountDisabled(userId: string): boolean;
  /** The caller's role in the workspace, to let managers revoke anyone's token. */
  roleOf(workspaceId: string, actor: Actor): Role | undefined;
  now?: () => Date;
}

/**
 * Personal MCP tokens (AIC-05): a person's bearer credential for an AI client, bound to one
 * workspace and a set of scopes. The token acts for the person: every call on /mcp checks
 * again that they are still a member whose role allows the scope (src/mcp/access.ts).
 */
export class McpTokenService {
  readonly #deps: McpTokenServiceDeps;
  readonly #now: () => Date;

  constructor(deps: McpTokenServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Mints a token for `userId`; the routes pass only the signed-in person's own id (an API key cannot mint one). */
  async create(workspaceId: string, userId: string, input: CreateMcpTokenInput, meta: RequestMeta): Promise<{ mcpToken: McpToken; token: string }> {
    const now = this.#now();
    if (input.expiresAt !== undefined) {
      const expires = Date.parse(input.expiresAt);
      if (expires <= now.getTime()) throw new AppError(400, 'invalid_expiry', 'expiresAt must be in the future');
      if (expires > now.getTime() + MAX_LIFETIME_MS) throw new AppError(400, 'invalid_expiry', 'expiresAt may be at most one year ahead');
    }
    const issued = issueToken('enm');
    const row = {
      id: newId('mcpt'),
      workspace_id: workspaceId,
      user_id: userId,
      name: input.name,
      scopes: [...new Set(input.scopes)].join(' '),
      token_hash: issued.hash,
      hint: issued.hint,
      created_at: now.toISOString(),
      expires_at: input.expiresAt === undefined ? null : new Date(input.expiresAt).toISOString(),
    };
    insertMcpToken(this.#deps.controlDb, row);
    await this.#deps
      .workspaceAudit(workspaceId)
      .record(auditEvent(meta, 'mcp_token.create', { type: 'mcp_token', id: row.id }, { userId, name: row.name, scopes: input.scopes, expiresAt: row.expires_at }));
    return { mcpToken: toMcpToken({ ...row, last_used_at: null, revoked_at: null }), token: issued.token };
  }

  /** The person's own tokens in the workspace, revoked ones included (they show when access ended); never a secret. */
  list(workspaceId: string, userId: string): McpToken[] {
    return listMcpTokensOf(this.#deps.controlDb, workspaceId, userId).map(toMcpToken);
  }

  /**
   * Revokes a token of the workspace: one's own, or anyone's for managers. Someone else's
   * token answers exactly like a missing one to everyone else, so ids reveal nothing.
   */
  async revoke(workspaceId: string, tokenId: string, meta: RequestMeta): Promise<void> {
    const row = findMcpToken(this.#deps.controlDb, workspaceId, tokenId);
    const own = row !== undefined && meta.actor.type === 'user' && meta.actor.id === row.user_id;
    const role = this.#deps.roleOf(workspaceId, meta.actor);
    const manager = role !== undefined && can(role, 'members:manage');
    if (!row || !(own || manager) || !revokeMcpToken(this.#deps.controlDb, workspaceId, tokenId, this.#now().toISOString())) {
      throw new AppError(404, 'mcp_token_not_found', 'no active MCP token with that id in this workspace');
    }
    await this.#deps
      .workspaceAudit(workspaceId)
      .record(auditEvent(meta, 'mcp_token.revoke', { type: 'mcp_token', id: tokenId }, { userId: row.user_id, name: row.name }));
  }

  /** The actor a presented personal token stands for, or undefined for any token that must not work. */
  authenticate(token: string): Actor | undefined {
    if (tokenKind(token) !== 'enm') return undefined;
    const row = findMcpTokenByHash(this.#deps.controlDb, hashToken(token));
    if (!row || row.revoked_at !== null) return undefined;
    const now = this.#now();
    if (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime()) return undefined;
    if (!this.#deps.workspaceExists(row.workspace_id) || this.#deps.accountDisabled(row.user_id)) return undefined;
    if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS) {
      touchMcpToken(this.#deps.controlDb, row.id, now.toISOString());
    }
    return { type: 'mcp_client', id: row.id, workspaceId: row.workspace_id, userId: row.user_id, clientId: null, scopes: scopesOf(row) };
  }
}
