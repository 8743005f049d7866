import { statement, type SqliteDatabase } from '../core/database.ts';

export interface WorkspaceRow {
  id: string;
  name: string;
  seed_wrapped: Buffer;
  created_at: string;
  deleted_at: string | null;
  shredded_at: string | null;
}

export function insertWorkspace(db: SqliteDatabase, row: Omit<WorkspaceRow, 'deleted_at' | 'shredded_at'>): void {
  statement(db, 'INSERT INTO workspace (id, name, seed_wrapped, created_at) VALUES (?, ?, ?, ?)').run(
    row.id,
    row.name,
    row.seed_wrapped,
    row.created_at,
  );
}

export function findWorkspace(db: SqliteDatabase, id: string): WorkspaceRow | undefined {
  return statement(db, 'SELECT * FROM workspace WHERE id = ? AND deleted_at IS NULL').get(id) as WorkspaceRow | undefined;
}

export function listWorkspaces(db: SqliteDatabase): WorkspaceRow[] {
  return statement(db, 'SELECT * FROM workspace WHERE deleted_at IS NULL ORDER BY created_at, id').all() as WorkspaceRow[];
}

/** DAT-02: a deleted workspace is hidden at once; its row, seed and files stay until the sweeper shreds them. */
export function markWorkspaceDeleted(db: SqliteDatabase, id: string, at: string): boolean {
  return statement(db, 'UPDATE workspace SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL').run(at, id).changes === 1;
}

export function findDeletedWorkspace(db: SqliteDatabase, id: string): WorkspaceRow | undefined {
  return statement(db, 'SELECT * FROM workspace WHERE id = ? AND deleted_at IS NOT NULL').get(id) as WorkspaceRow | undefined;
}

/** Restorable: deleted, not yet shredded. */
export function restoreWorkspace(db: SqliteDatabase, id: string): boolean {
  return statement(db, 'UPDATE workspace SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL AND shredded_at IS NULL').run(id).changes === 1;
}

export function listDeletedWorkspaces(db: SqliteDatabase, ownerId: string): WorkspaceRow[] {
  return statement(
    db,
    `SELECT w.* FROM workspace w JOIN workspace_member m ON m.workspace_id = w.id
     WHERE w.deleted_at IS NOT NULL AND w.shredded_at IS NULL AND m.user_id = ? AND m.role = 'owner' ORDER BY w.deleted_at DESC`,
  ).all(ownerId) as WorkspaceRow[];
}

export function workspacesDeletedBefore(db: SqliteDatabase, cutoff: string): WorkspaceRow[] {
  return statement(db, 'SELECT * FROM workspace WHERE deleted_at IS NOT NULL AND deleted_at <= ? AND shredded_at IS NULL').all(cutoff) as WorkspaceRow[];
}

/** CRY-04: the wrapped seed is overwritten with nothing; every key of the workspace went with it. */
export function shredWorkspaceSeed(db: SqliteDatabase, id: string, at: string): void {
  statement(db, "UPDATE workspace SET seed_wrapped = X'', shredded_at = ? WHERE id = ?").run(at, id);
}
