import { statement, type SqliteDatabase } from '../core/database.ts';

/** The last seq a target accepted from a log; 0 when it has received nothing yet. */
export function cursorOf(db: SqliteDatabase, target: string, log: string): number {
  const row = statement(db, 'SELECT last_seq FROM siem_cursor WHERE target = ? AND log = ?').pluck().get(target, log) as number | undefined;
  return row ?? 0;
}

export function advanceCursor(db: SqliteDatabase, target: string, log: string, lastSeq: number, at: string): void {
  statement(
    db,
    `INSERT INTO siem_cursor (target, log, last_seq, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (target, log) DO UPDATE SET last_seq = excluded.last_seq, updated_at = excluded.updated_at`,
  ).run(target, log, lastSeq, at);
}
