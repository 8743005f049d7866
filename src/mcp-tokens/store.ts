import { statement, type SqliteDatabase } from '../core/database.ts';

export interface McpTokenRow {
  id: string;
  workspace_id: string;
  user_id: string;
  name: string;
  /** Space-separated MCP scopes. */
  scopes: string;
  token_hash: string;
  hint: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export function insertMcpToken(db: SqliteDatabase, row: Omit<McpTokenRow, 'last_used_at' | 'revoked_at'>): void {
  statement(
    db,
    `INSERT INTO mcp_token (id, workspace_id, user_id, name, scopes, token_hash, hint, created_at, expires_at)
     VALUES (@id, @workspace_id, @user_id, @name, @scopes, @token_hash, @hint, @created_at, @expires_at)`,
  ).run(row);
}

export function findMcpTokenByHash(db: SqliteDatabase, tokenHash: string): McpTokenRow | undefined {
  return statement(db, 'SELECT * FROM mcp_token WHERE token_hash = ?').get(tokenHash) as McpTokenRow | undefined;
}

export function findMcpToken(db: SqliteDatabase, workspaceId: string, id: string): McpTokenRow | undefined {
  return statement(db, 'SELECT * FROM mcp_token WHERE id = ? AND workspace_id = ?').get(id, workspaceId) as McpTokenRow | undefined;
}

export function listMcpTokensOf(db: SqliteDatabase, workspaceId: string, userId: string): McpTokenRow[] {
  return statement(db, 'SELECT * FROM mcp_token WHERE workspace_id = ? AND user_id = ? ORDER BY created_at, id').all(workspaceId, userId) as McpTokenRow[];
}

export function revokeMcpToken(db: SqliteDatabase, workspaceId: string, id: string, at: string): boolean {
  return statement(db, 'UPDATE mcp_token SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL').run(at, id, workspaceId).changes === 1;
}

/** ACC-06: every personal token a person holds, in every workspace (see identity/deprovision.ts). */
export function revokeMcpTokensOfUser(db: SqliteDatabase, userId: string, at: string): number {
  return statement(db, 'UPDATE mcp_token SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(at, userId).changes;
}

export function touchMcpToken(db: SqliteDatabase, id: string, at: string): void {
  statement(db, 'UPDATE mcp_token SET last_used_at = ? WHERE id = ?').run(at, id);
}
