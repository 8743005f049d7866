import { statement, type SqliteDatabase } from '../core/database.ts';

export interface MemberRow {
  workspace_id: string;
  user_id: string;
  role: string;
  created_at: string;
  updated_at: string;
}

export function findMember(db: SqliteDatabase, workspaceId: string, userId: string): MemberRow | undefined {
  return statement(db, 'SELECT * FROM workspace_member WHERE workspace_id = ? AND user_id = ?').get(workspaceId, userId) as
    | MemberRow
    | undefined;
}

/** False when the person is already a member. */
export function insertMember(db: SqliteDatabase, row: MemberRow): boolean {
  return (
    statement(db,
      `INSERT INTO workspace_member (workspace_id, user_id, role, created_at, updated_at)
       VALUES (@workspace_id, @user_id, @role, @created_at, @updated_at) ON CONFLICT DO NOTHING`,
    ).run(row).changes === 1
  );
}

export function listMembers(db: SqliteDatabase, workspaceId: string): MemberRow[] {
  return statement(db, 'SELECT * FROM workspace_member WHERE workspace_id = ? ORDER BY created_at, user_id').all(workspaceId) as MemberRow[];
}

export function listMemberships(db: SqliteDatabase, userId: string): MemberRow[] {
  return statement(db, 'SELECT * FROM workspace_member WHERE user_id = ? ORDER BY created_at, workspace_id').all(userId) as MemberRow[];
}

export function countOwners(db: SqliteDatabase, workspaceId: string): number {
  return (statement(db, "SELECT count(*) AS n FROM workspace_member WHERE workspace_id = ? AND role = 'owner'").get(workspaceId) as { n: number }).n;
}

export function updateMemberRole(db: SqliteDatabase, workspaceId: string, userId: string, role: string, at: string): void {
  statement(db, 'UPDATE workspace_member SET role = ?, updated_at = ? WHERE workspace_id = ? AND user_id = ?').run(role, at, workspaceId, userId);
}

export function deleteMember(db: SqliteDatabase, workspaceId: string, userId: string): void {
  statement(db, 'DELETE FROM workspace_member WHERE workspace_id = ? AND user_id = ?').run(workspaceId, userId);
}
