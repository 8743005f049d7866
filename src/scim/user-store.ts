import { statement, type SqliteDatabase } from '../core/database.ts';

/** A workspace's provisioning record of one person: what its directory says about them. */
export interface ScimUserRow {
  workspace_id: string;
  user_id: string;
  user_name: string;
  external_id: string | null;
  given_name: string | null;
  family_name: string | null;
  formatted_name: string | null;
  display_name: string | null;
  role: string;
  active: number;
  managed: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** The record, tombstone included: a managed account's deleted record is how the workspace remembers it manages it. */
export function findScimUser(db: SqliteDatabase, workspaceId: string, userId: string): ScimUserRow | undefined {
  return statement(db, 'SELECT * FROM scim_user WHERE workspace_id = ? AND user_id = ?').get(workspaceId, userId) as ScimUserRow | undefined;
}

export function countScimUsers(db: SqliteDatabase, workspaceId: string, userName: string | null): number {
  return (
    statement(db, 'SELECT count(*) AS n FROM scim_user WHERE workspace_id = @workspaceId AND deleted_at IS NULL AND (@userName IS NULL OR user_name = @userName)').get({
      workspaceId,
      userName,
    }) as { n: number }
  ).n;
}

export function listScimUsers(db: SqliteDatabase, workspaceId: string, userName: string | null, offset: number, limit: number): ScimUserRow[] {
  return statement(db,
    `SELECT * FROM scim_user WHERE workspace_id = @workspaceId AND deleted_at IS NULL AND (@userName IS NULL OR user_name = @userName)
     ORDER BY created_at, user_id LIMIT @limit OFFSET @offset`,
  ).all({ workspaceId, userName, offset, limit }) as ScimUserRow[];
}

/** Inserts the record, or brings a tombstone back with new values. */
export function upsertScimUser(db: SqliteDatabase, row: ScimUserRow): void {
  statement(db,
    `INSERT INTO scim_user (workspace_id, user_id, user_name, external_id, given_name, family_name, formatted_name, display_name, role, active, managed, created_at, updated_at, deleted_at)
     VALUES (@workspace_id, @user_id, @user_name, @external_id, @given_name, @family_name, @formatted_name, @display_name, @role, @active, @managed, @created_at, @updated_at, @deleted_at)
     ON CONFLICT (workspace_id, user_id) DO UPDATE SET user_name = excluded.user_name, external_id = excluded.external_id,
       given_name = excluded.given_name, family_name = excluded.family_name, formatted_name = excluded.formatted_name,
       display_name = excluded.display_name, role = excluded.role, active = excluded.active, managed = excluded.managed,
       created_at = excluded.created_at, updated_at = excluded.updated_at, deleted_at = excluded.deleted_at`,
  ).run(row);
}

export function deleteScimUser(db: SqliteDatabase, workspaceId: string, userId: string): void {
  statement(db, 'DELETE FROM scim_user WHERE workspace_id = ? AND user_id = ?').run(workspaceId, userId);
}
