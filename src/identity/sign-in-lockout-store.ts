import { statement, type SqliteDatabase } from '../core/database.ts';

export interface FailureRow {
  subject: string;
  failures: number;
  last_failure_at: string;
  locked_until: string | null;
}

export function findFailures(db: SqliteDatabase, subject: string): FailureRow | undefined {
  return statement(db, 'SELECT * FROM sign_in_failure WHERE subject = ?').get(subject) as FailureRow | undefined;
}

export function saveFailures(db: SqliteDatabase, row: FailureRow): void {
  statement(
    db,
    `INSERT INTO sign_in_failure (subject, failures, last_failure_at, locked_until) VALUES (@subject, @failures, @last_failure_at, @locked_until)
     ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
  ).run(row);
}

export function clearFailures(db: SqliteDatabase, subject: string): void {
  statement(db, 'DELETE FROM sign_in_failure WHERE subject = ?').run(subject);
}
