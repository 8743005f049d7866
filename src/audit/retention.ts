import { statement, type SqliteDatabase } from '../core/database.ts';
import type { AuditLog, AuditTrim } from './log.ts';

/**
 * Trims the events recorded before `cutoff` under a signed trim statement (see AuditLog.trim),
 * so the chain still verifies from its new first event. The newest event always stays: it
 * anchors the chain, and the trim records itself after it anyway.
 */
export function applyAuditRetention(log: AuditLog, db: SqliteDatabase, cutoff: Date): AuditTrim | undefined {
  log.flush();
  const bounds = statement(db, 'SELECT (SELECT max(seq) FROM audit_events WHERE occurred_at < ?) AS lastOld, (SELECT max(seq) FROM audit_events) AS head').get(
    cutoff.toISOString(),
  ) as { lastOld: number | null; head: number | null };
  if (bounds.lastOld === null || bounds.head === null) return undefined;
  const throughSeq = Math.min(bounds.lastOld, bounds.head - 1);
  return throughSeq >= 1 ? log.trim(throughSeq) : undefined;
}
