import type { SqliteDatabase } from '../core/database.ts';
import type { AuditEvent, EventRow } from './event.ts';

/** In `EventRow` order. */
const EVENT_COLUMNS =
  'seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, ip, user_agent, request_id, outcome, details, prev_hash, hash';

export interface ChainHead {
  seq: number;
  hash: string;
}

/** A checkpoint as the table holds it; the scope is implied by the database. */
export interface StoredCheckpoint {
  seq: number;
  hash: string;
  signedAt: string;
  keyVersion: number;
  signature: string;
}

/** The statements the audit log runs on every batch, prepared once per connection. */
export class AuditStore {
  readonly #lastEvent;
  readonly #lastCheckpoint;
  readonly #insertEvent;
  readonly #insertCheckpoint;

  constructor(db: SqliteDatabase) {
    this.#lastEvent = db.prepare<[], ChainHead>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    this.#lastCheckpoint = db.prepare<[], ChainHead>(
      'SELECT seq, hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1',
    );
    this.#insertEvent = db.prepare<EventRow>(`INSERT INTO audit_events (${EVENT_COLUMNS}) VALUES (${placeholders(15)})`);
    this.#insertCheckpoint = db.prepare<[number, string, string, number, string]>(
      'INSERT INTO audit_checkpoints (seq, hash, signed_at, key_version, signature) VALUES (?, ?, ?, ?, ?)',
    );
  }

  /**
   * The newest event; once retention has removed every row, the newest checkpoint
   * stands in for it so the chain continues from the signed hash.
   */
  head(): ChainHead | undefined {
    return this.#lastEvent.get() ?? this.#lastCheckpoint.get();
  }

  lastCheckpoint(): ChainHead | undefined {
    return this.#lastCheckpoint.get();
  }

  insertEvent(row: EventRow): void {
    this.#insertEvent.run(...row);
  }

  insertCheckpoint(checkpoint: StoredCheckpoint): void {
    this.#insertCheckpoint.run(
      checkpoint.seq,
      checkpoint.hash,
      checkpoint.signedAt,
      checkpoint.keyVersion,
      checkpoint.signature,
    );
  }
}

/** Every event row in seq order, streamed as arrays. */
export function iterateEventRows(db: SqliteDatabase): IterableIterator<EventRow> {
  return db
    .prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM audit_events ORDER BY seq`)
    .raw(true)
    .iterate();
}

/** Checkpoints in seq order, optionally only those after `afterSeq`. */
export function listCheckpoints(db: SqliteDatabase, afterSeq = 0): StoredCheckpoint[] {
  return db
    .prepare<[number], StoredCheckpoint>(
      `SELECT seq, hash, signed_at AS signedAt, key_version AS keyVersion, signature
       FROM audit_checkpoints WHERE seq > ? ORDER BY seq`,
    )
    .all(afterSeq);
}

export const MAX_EVENT_PAGE = 1000;

/** Cursor paging for routes and export: events after `afterSeq`, oldest first. */
export function listEvents(db: SqliteDatabase, page: { afterSeq?: number; limit: number }): AuditEvent[] {
  const afterSeq = page.afterSeq ?? 0;
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new RangeError('afterSeq must be a non-negative integer');
  if (!Number.isSafeInteger(page.limit) || page.limit < 1 || page.limit > MAX_EVENT_PAGE) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_EVENT_PAGE}`);
  }
  const rows = db
    .prepare<[number, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`)
    .raw(true)
    .all(afterSeq, page.limit);
  return rows.map(toAuditEvent);
}

function toAuditEvent(row: EventRow): AuditEvent {
  const [
    seq, id, occurredAt, actorType, actorId, action, targetType, targetId,
    ip, userAgent, requestId, outcome, details, prevHash, hash,
  ] = row;
  return {
    seq,
    id,
    occurredAt,
    actor: { type: actorType, id: actorId },
    action,
    target: targetType !== null && targetId !== null ? { type: targetType, id: targetId } : null,
    outcome,
    ip,
    userAgent,
    requestId,
    details: JSON.parse(details) as Record<string, unknown>,
    prevHash,
    hash,
  };
}

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
