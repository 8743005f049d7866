import { statement, type SqliteDatabase } from '../core/database.ts';

export interface ApiKeyRow {
  id: string;
  workspace_id: string;
  name: string;
  role: string;
  token_hash: string;
  hint: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export function insertApiKey(db: SqliteDatabase, row: Omit<ApiKeyRow, 'last_used_at' | 'revoked_at'>): void {
  statement(db, 
    `INSERT INTO api_key (id, workspace_id, name, role, token_hash, hint, created_at, expires_at)
     VALUES (@id, @workspace_id, @name, @role, @token_hash, @hint, @created_at, @expires_at)`,
  ).run(row);
}

export function findApiKeyByHash(db: SqliteDatabase, tokenHash: string): ApiKeyRow | undefined {
  return statement(db, 'SELECT * FROM api_key WHERE token_hash = ?').get(tokenHash) as ApiKeyRow | undefined;
}

export function listApiKeys(db: SqliteDatabase, workspaceId: string): ApiKeyRow[] {
  return statement(db, 'SELECT * FROM api_key WHERE workspace_id = ? ORDER BY created_at, id')
    .all(workspaceId) as ApiKeyRow[];
}

export function revokeApiKey(db: SqliteDatabase, workspaceId: string, id: string, at: string): boolean {
  return (
    statement(db, 'UPDATE api_key SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL')
      .run(at, id, workspaceId).changes === 1
  );
}

export function touchApiKey(db: SqliteDatabase, id: string, at: string): void {
  statement(db, 'UPDATE api_key SET last_used_at = ? WHERE id = ?').run(at, id);
}
