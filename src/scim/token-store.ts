import { statement, type SqliteDatabase } from '../core/database.ts';

export interface ScimTokenRow {
  id: string;
  workspace_id: string;
  name: string;
  token_hash: string;
  hint: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export function insertScimToken(db: SqliteDatabase, row: Omit<ScimTokenRow, 'last_used_at' | 'revoked_at'>): void {
  statement(db,
    `INSERT INTO scim_token (id, workspace_id, name, token_hash, hint, created_at)
     VALUES (@id, @workspace_id, @name, @token_hash, @hint, @created_at)`,
  ).run(row);
}

export function findScimTokenByHash(db: SqliteDatabase, tokenHash: string): ScimTokenRow | undefined {
  return statement(db, 'SELECT * FROM scim_token WHERE token_hash = ?').get(tokenHash) as ScimTokenRow | undefined;
}

export function listScimTokens(db: SqliteDatabase, workspaceId: string): ScimTokenRow[] {
  return statement(db, 'SELECT * FROM scim_token WHERE workspace_id = ? ORDER BY created_at, id').all(workspaceId) as ScimTokenRow[];
}

export function revokeScimToken(db: SqliteDatabase, workspaceId: string, id: string, at: string): boolean {
  return statement(db, 'UPDATE scim_token SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL').run(at, id, workspaceId).changes === 1;
}

export function touchScimToken(db: SqliteDatabase, id: string, at: string): void {
  statement(db, 'UPDATE scim_token SET last_used_at = ? WHERE id = ?').run(at, id);
}
