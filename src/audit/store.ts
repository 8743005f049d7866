import { statement, type SqliteDatabase } from '../core/database.ts';
import { HASH_INPUT_SQL } from './chain.ts';
import type { AuditEvent, EventRow } from './event.ts';
import type { StatementKind } from './signing.ts';

/** In `EventRow` order, hashes as lower-case hex: the JavaScript side never sees their raw bytes. */
const EVENT_COLUMNS =
  'seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, ip, user_agent, request_id, outcome, details, lower(hex(prev_hash)), lower(hex(hash))';

/**
 * Rows per INSERT statement. Each statement run is a native round trip with its own
 * result object; sharing one among 20 rows saves about 1 µs of the ~21 µs an event
 * costs to write.
 */
const ROWS_PER_INSERT = 20;

function insertEvents(rows: number): string {
  const values = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, unhex(?), unhex(?))';
  return `INSERT INTO audit_events
    (seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, ip, user_agent, request_id, outcome, details, prev_hash, hash)
    VALUES ${Array.from({ length: rows }, () => values).join(', ')}`;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/** A signed statement as the table holds it; the scope is implied by the database. */
export interface StoredStatement {
  kind: StatementKind;
  seq: number;
  hash: string;
  signedAt: string;
  keyVersion: number;
  signature: string;
}

/** The statements the audit log runs on every batch, prepared once per connection. */
export class AuditStore {
  readonly #lastEvent;
  readonly #firstEvent;
  readonly #lastStatement;
  readonly #lastOfKind;
  readonly #hashAt;
  readonly #countThrough;
  readonly #insertOne;
  readonly #insertMany;
  readonly #insertStatement;
  readonly #deleteThrough;

  constructor(db: SqliteDatabase) {
    this.#lastEvent = db.prepare<[], ChainHead>(
      'SELECT seq, lower(hex(hash)) AS hash FROM audit_events ORDER BY seq DESC LIMIT 1',
    );
    this.#firstEvent = db.prepare<[], { seq: number; prevHash: string }>(
      'SELECT seq, lower(hex(prev_hash)) AS prevHash FROM audit_events ORDER BY seq LIMIT 1',
    );
    this.#lastStatement = db.prepare<[], ChainHead>(
      'SELECT seq, lower(hex(hash)) AS hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1',
    );
    this.#lastOfKind = db.prepare<[StatementKind], ChainHead>(
      'SELECT seq, lower(hex(hash)) AS hash FROM audit_checkpoints WHERE kind = ? ORDER BY seq DESC LIMIT 1',
    );
    this.#hashAt = db.prepare<[number], string>('SELECT lower(hex(hash)) FROM audit_events WHERE seq = ?').pluck();
    this.#countThrough = db.prepare<[number], number>('SELECT count(*) FROM audit_events WHERE seq <= ?').pluck();
    this.#insertOne = db.prepare<EventRow>(insertEvents(1));
    this.#insertMany = db.prepare<EventRow[number][]>(insertEvents(ROWS_PER_INSERT));
    this.#insertStatement = db.prepare<[StatementKind, number, string, string, number, string]>(
      `INSERT INTO audit_checkpoints (kind, seq, hash, signed_at, key_version, signature)
       VALUES (?, ?, unhex(?), ?, ?, ?)`,
    );
    this.#deleteThrough = db.prepare<[number]>('DELETE FROM audit_events WHERE seq <= ?');
  }

  /**
   * The newest event. Retention never removes the head, so an empty table beside signed
   * statements means rows were deleted behind Enclave's back: new events then continue
   * from the newest signed hash, which keeps them verifiable while the gap stays reported.
   */
  head(): ChainHead | undefined {
    return this.#lastEvent.get() ?? this.#lastStatement.get();
  }

  firstEvent(): { seq: number; prevHash: string } | undefined {
    return this.#firstEvent.get();
  }

  lastStatement(kind: StatementKind): ChainHead | undefined {
    return this.#lastOfKind.get(kind);
  }

  hashAt(seq: number): string | undefined {
    return this.#hashAt.get(seq);
  }

  countThrough(seq: number): number {
    return this.#countThrough.get(seq)!;
  }

  /** Values are spread as arguments: binding them from one array argument costs more per value. */
  insertEvents(rows: EventRow[]): void {
    let index = 0;
    for (; index + ROWS_PER_INSERT <= rows.length; index += ROWS_PER_INSERT) {
      this.#insertMany.run(...rows.slice(index, index + ROWS_PER_INSERT).flat());
    }
    for (; index < rows.length; index++) this.#insertOne.run(...rows[index]!);
  }

  insertStatement(statement: StoredStatement): void {
    const { kind, seq, hash, signedAt, keyVersion, signature } = statement;
    this.#insertStatement.run(kind, seq, hash, signedAt, keyVersion, signature);
  }

  /** Returns how many events were removed. */
  deleteThrough(seq: number): number {
    return this.#deleteThrough.run(seq).changes;
  }
}

const VERIFY_PAGE = 1000;

type ChainRow = [seq: number, hash: string, hashInput: string];

/**
 * The chain as the verifier needs it, `[seq, hash, prev_hash || event JSON]` per event
 * from the very first row (whatever its seq), in pages: paging keeps memory constant,
 * and one `all()` per page is cheaper than a native round trip per row.
 */
export function* chainPages(db: SqliteDatabase): Generator<ChainRow[]> {
  const select = `SELECT seq, lower(hex(hash)), ${HASH_INPUT_SQL} FROM audit_events`;
  const first = db.prepare<[number], ChainRow>(`${select} ORDER BY seq LIMIT ?`).raw(true);
  const next = db.prepare<[number, number], ChainRow>(`${select} WHERE seq > ? ORDER BY seq LIMIT ?`).raw(true);
  for (let page = first.all(VERIFY_PAGE); page.length > 0; page = next.all(page.at(-1)![0], VERIFY_PAGE)) yield page;
}

/** Signed statements of every kind in seq order, or of one kind after `afterSeq`. */
export function listStatements(db: SqliteDatabase, only?: { kind: StatementKind; afterSeq: number }): StoredStatement[] {
  const columns =
    'kind, seq, lower(hex(hash)) AS hash, signed_at AS signedAt, key_version AS keyVersion, signature FROM audit_checkpoints';
  if (!only) return db.prepare<[], StoredStatement>(`SELECT ${columns} ORDER BY seq, kind`).all();
  return db
    .prepare<[StatementKind, number], StoredStatement>(`SELECT ${columns} WHERE kind = ? AND seq > ? ORDER BY seq`)
    .all(only.kind, only.afterSeq);
}

export const MAX_EVENT_PAGE = 1000;

/** What a reader may narrow the log to; every field is optional and they combine with AND. */
export interface EventFilter {
  action?: string;
  actor?: { type: string; id: string };
  /** ISO 8601 instants, inclusive. */
  since?: string;
  until?: string;
}

export interface EventPage extends EventFilter {
  afterSeq?: number;
  limit: number;
}

/**
 * Cursor paging for routes and export: events after `afterSeq`, oldest first, optionally
 * filtered. The filters walk the seq order without their own indexes: an index per column
 * would slow every append, and reading the log is rare next to writing it.
 */
export function listEvents(db: SqliteDatabase, page: EventPage): AuditEvent[] {
  const afterSeq = page.afterSeq ?? 0;
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new RangeError('afterSeq must be a non-negative integer');
  if (!Number.isSafeInteger(page.limit) || page.limit < 1 || page.limit > MAX_EVENT_PAGE) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_EVENT_PAGE}`);
  }
  const conditions: [sql: string, ...values: string[]][] = [];
  if (page.action !== undefined) conditions.push(['action = ?', page.action]);
  if (page.actor !== undefined) conditions.push(['actor_type = ? AND actor_id = ?', page.actor.type, page.actor.id]);
  if (page.since !== undefined) conditions.push(['occurred_at >= ?', page.since]);
  if (page.until !== undefined) conditions.push(['occurred_at <= ?', page.until]);
  const where = ['seq > ?', ...conditions.map(([sql]) => sql)].join(' AND ');
  const values = [afterSeq, ...conditions.flatMap(([, ...bound]) => bound), page.limit];
  // Each filter combination is its own SQL text, so the statement cache holds at most 16.
  const rows = statement(db, `SELECT ${EVENT_COLUMNS} FROM audit_events WHERE ${where} ORDER BY seq LIMIT ?`)
    .raw(true)
    .all(...values) as EventRow[];
  return rows.map(toAuditEvent);
}

export interface EventFacets {
  actions: string[];
  actors: { type: string; id: string }[];
}

/** The distinct actions and actors in the log, for a reader's filter choices. */
export function eventFacets(db: SqliteDatabase): EventFacets {
  return {
    actions: statement(db, 'SELECT DISTINCT action FROM audit_events ORDER BY action').pluck().all() as string[],
    actors: statement(db, 'SELECT DISTINCT actor_type AS type, actor_id AS id FROM audit_events ORDER BY actor_type, actor_id').all() as {
      type: string;
      id: string;
    }[],
  };
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
