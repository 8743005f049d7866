import { statement, type SqliteDatabase } from '../../core/database.ts';

export interface ExportRequestRow {
  id: string;
  kind: 'workspace' | 'personal';
  requester: string;
  workspace_id: string | null;
  requested_at: string;
}

/** The export requests of a requester since an instant, oldest first. */
export function requestsBy(db: SqliteDatabase, requester: string, since: string): string[] {
  return statement(db, 'SELECT requested_at FROM export_request WHERE requester = ? AND requested_at > ? ORDER BY requested_at')
    .pluck()
    .all(requester, since) as string[];
}

/** The export requests of a workspace since an instant, oldest first. */
export function requestsFor(db: SqliteDatabase, workspaceId: string, since: string): string[] {
  return statement(db, 'SELECT requested_at FROM export_request WHERE workspace_id = ? AND requested_at > ? ORDER BY requested_at')
    .pluck()
    .all(workspaceId, since) as string[];
}

export function insertRequest(db: SqliteDatabase, row: ExportRequestRow): void {
  statement(db, 'INSERT INTO export_request (id, kind, requester, workspace_id, requested_at) VALUES (?, ?, ?, ?, ?)').run(
    row.id,
    row.kind,
    row.requester,
    row.workspace_id,
    row.requested_at,
  );
}

export function forgetRequestsBefore(db: SqliteDatabase, before: string): void {
  statement(db, 'DELETE FROM export_request WHERE requested_at <= ?').run(before);
}
