import { statement, type SqliteDatabase } from '../core/database.ts';

export interface WorkspaceRow {
  id: string;
  name: string;
  seed_wrapped: Buffer;
  created_at: string;
  deleted_at: string | null;
}

export function insertWorkspace(db: SqliteDatabase, row: Omit<WorkspaceRow, 'deleted_at'>): void {
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
