import { statement, type SqliteDatabase } from '../core/database.ts';

/** A grant an AI client holds: one person, one workspace, the scopes they consented to. */
export interface GrantRow {
  grant_id: string;
  workspace_id: string;
  user_id: string;
  client_id: string;
  client_name: string;
  scopes: string;
  created_at: string;
  last_used_at: string | null;
}

export function insertGrant(db: SqliteDatabase, row: Omit<GrantRow, 'last_used_at'>): void {
  statement(
    db,
    'INSERT INTO mcp_grant (grant_id, workspace_id, user_id, client_id, client_name, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(row.grant_id, row.workspace_id, row.user_id, row.client_id, row.client_name, row.scopes, row.created_at);
}

export function findGrant(db: SqliteDatabase, grantId: string): GrantRow | undefined {
  return statement<[string], GrantRow>(db, 'SELECT * FROM mcp_grant WHERE grant_id = ?').get(grantId);
}

/** A workspace's grants that oidc-provider still holds (a grant it revoked on refresh-token reuse is gone). */
export function listGrants(db: SqliteDatabase, workspaceId: string): GrantRow[] {
  return statement<[string], GrantRow>(
    db,
    `SELECT g.* FROM mcp_grant g WHERE g.workspace_id = ?
       AND EXISTS (SELECT 1 FROM oauth_artifact a WHERE a.model = 'Grant' AND a.grant_id = g.grant_id)
     ORDER BY g.created_at DESC`,
  ).all(workspaceId);
}

export function grantIdsOfUser(db: SqliteDatabase, userId: string): string[] {
  return statement<[string], { grant_id: string }>(db, 'SELECT grant_id FROM mcp_grant WHERE user_id = ?')
    .all(userId)
    .map((row) => row.grant_id);
}

export function deleteGrant(db: SqliteDatabase, grantId: string): void {
  statement(db, 'DELETE FROM mcp_grant WHERE grant_id = ?').run(grantId);
}

export function touchGrant(db: SqliteDatabase, grantId: string, at: string): void {
  statement(db, 'UPDATE mcp_grant SET last_used_at = ? WHERE grant_id = ?').run(at, grantId);
}
