import { statement, type SqliteDatabase } from '../core/database.ts';

export interface AlertRow {
  id: string;
  rule: string;
  /** The workspace the alert concerns, or null for the server as a whole (sign-in bursts). */
  workspace_id: string | null;
  subject: string;
  details: string;
  raised_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

export function insertAlert(db: SqliteDatabase, row: AlertRow): void {
  statement(
    db,
    `INSERT INTO alert (id, rule, workspace_id, subject, details, raised_at, acknowledged_at, acknowledged_by)
     VALUES (@id, @rule, @workspace_id, @subject, @details, @raised_at, @acknowledged_at, @acknowledged_by)`,
  ).run(row);
}

export function listWorkspaceAlerts(db: SqliteDatabase, workspaceId: string, limit: number): AlertRow[] {
  return statement(db, 'SELECT * FROM alert WHERE workspace_id = ? ORDER BY raised_at DESC, id LIMIT ?').all(workspaceId, limit) as AlertRow[];
}

export function acknowledgeAlert(db: SqliteDatabase, workspaceId: string, id: string, by: string, at: string): AlertRow | undefined {
  return statement(db, 'UPDATE alert SET acknowledged_at = coalesce(acknowledged_at, ?), acknowledged_by = coalesce(acknowledged_by, ?) WHERE id = ? AND workspace_id = ? RETURNING *').get(
    at,
    by,
    id,
    workspaceId,
  ) as AlertRow | undefined;
}
