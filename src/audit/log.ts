import type { KeyObject } from 'node:crypto';
import type { SqliteDatabase } from '../core/database.ts';
import { GENESIS_HASH, eventHash } from './chain.ts';
import { appendStatementLine } from './checkpoint-file.ts';
import { prepareEvent, type AuditEventInput, type AuditRecorded, type EventRow } from './event.ts';
import { auditSigningKeys, signStatement, type AuditStatement, type StatementKind } from './signing.ts';
import { AuditStore, type ChainHead } from './store.ts';

export interface AuditLogOptions {
  /** An open database that has `auditTables` applied. The caller owns and closes it. */
  db: SqliteDatabase;
  /** The workspace id, or `control` for the control plane; signed into every statement. */
  scope: string;
  /** 32 bytes derived from the workspace key material for the audit-signing purpose. */
  signingSeed: Buffer;
  /** Append-only JSON-lines witness of every signed statement, kept outside the database. */
  checkpointFile: string;
  keyVersion?: number;
  checkpointEvery?: number;
  clock?: () => Date;
  /** Hears every event as it is recorded, before it is written: detection rules watch the stream (LOG-06). */
  observe?: (event: AuditEventInput) => void;
}

export interface AuditTrim {
  removed: number;
  /** The `audit.retention.trim` event that records the trim in the chain it shortened. */
  recorded: AuditRecorded;
}

interface Waiter {
  resolve: (recorded: AuditRecorded) => void;
  reject: (error: unknown) => void;
}

export class AuditLogClosedError extends Error {
  override name = 'AuditLogClosedError';
  constructor() {
    super('the audit log is closed');
  }
}

/** A trim Enclave refuses to sign; nothing was removed. */
export class AuditTrimError extends Error {
  override name = 'AuditTrimError';
}

const RETENTION_ACTOR = { type: 'system', id: 'audit-retention' } as const;

/**
 * The append side of one hash-chained audit log. Events recorded in the same tick are
 * written together in one transaction (group commit), since a transaction per event
 * caps throughput near 2k events/s.
 */
export class AuditLog {
  readonly #store: AuditStore;
  readonly #scope: string;
  readonly #signingSeed: Buffer;
  #privateKey: KeyObject | undefined;
  readonly #checkpointFile: string;
  readonly #keyVersion: number;
  readonly #checkpointEvery: number;
  readonly #clock: () => Date;
  readonly #observe: ((event: AuditEventInput) => void) | undefined;
  // BEGIN IMMEDIATE takes the write lock before the head is read, so a second process
  // (the CLI) appending to the same file can never fork the chain.
  readonly #appendBatch;
  readonly #checkpointHead;
  readonly #trimThrough;
  // Parallel arrays rather than an object per queued event.
  #rows: EventRow[] = [];
  #waiters: Waiter[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #closed = false;
  #lastMillis = Number.NaN;
  #lastTimestamp = '';

  constructor(options: AuditLogOptions) {
    if (typeof options.scope !== 'string' || options.scope.length === 0) throw new Error('an audit log needs a scope');
    if (!options.checkpointFile) throw new Error('an audit log needs a checkpoint file');
    this.#keyVersion = positiveInteger('keyVersion', options.keyVersion ?? 1);
    this.#checkpointEvery = positiveInteger('checkpointEvery', options.checkpointEvery ?? 1000);
    this.#store = new AuditStore(options.db);
    this.#scope = options.scope;
    if (options.signingSeed.length !== 32) throw new Error('audit signing seeds are 32 bytes');
    // The key is imported at the first signature: most opens of a workspace sign nothing.
    this.#signingSeed = options.signingSeed;
    this.#checkpointFile = options.checkpointFile;
    this.#clock = options.clock ?? (() => new Date());
    this.#observe = options.observe;
    this.#appendBatch = options.db.transaction((rows: EventRow[]) => this.#append(rows));
    this.#checkpointHead = options.db.transaction(() => {
      const head = this.#store.head();
      return head ? this.#checkpointIfDue(head, 1) : undefined;
    });
    this.#trimThrough = options.db.transaction((throughSeq: number) => this.#trim(throughSeq));
  }

  /** Resolves once the event is committed; rejects if it is invalid or could not be written. */
  record(input: AuditEventInput): Promise<AuditRecorded> {
    if (this.#closed) return Promise.reject(new AuditLogClosedError());
    let row: EventRow;
    try {
      row = prepareEvent(input, this.#timestamp());
    } catch (error) {
      return Promise.reject(error);
    }
    this.#rows.push(row);
    try {
      this.#observe?.(input);
    } catch {
      // Detection must never fail the action being audited; a rule that throws misses this event.
    }
    this.#scheduled ??= setImmediate(() => this.#drain());
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Writes everything queued now, in one transaction. */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const rows = this.#rows;
    const waiters = this.#waiters;
    if (rows.length === 0) return;
    this.#rows = [];
    this.#waiters = [];
    let recorded: AuditRecorded[];
    try {
      recorded = this.#appendBatch.immediate(rows);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      throw error;
    }
    for (let index = 0; index < waiters.length; index++) waiters[index]!.resolve(recorded[index]!);
  }

  /** Signs the current head unless it is already checkpointed; returns the new checkpoint, if any. */
  checkpoint(): AuditStatement | undefined {
    this.flush();
    return this.#checkpointHead.immediate();
  }

  /**
   * Retention (LOG-03): removes every event up to and including `throughSeq`, under a
   * signed trim statement that anchors the first remaining event, and records the trim
   * as an event of its own, checkpointed. One transaction; the newest event is never removed.
   */
  trim(throughSeq: number): AuditTrim {
    if (this.#closed) throw new AuditLogClosedError();
    if (!Number.isSafeInteger(throughSeq) || throughSeq < 1) throw new RangeError('throughSeq must be a positive integer');
    this.flush();
    return this.#trimThrough.immediate(throughSeq);
  }

  /** Flushes and checkpoints, so nothing recorded can later be cut off the tail unnoticed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.checkpoint();
  }

  #drain(): void {
    this.#scheduled = undefined;
    try {
      this.flush();
    } catch {
      // flush() has already rejected every waiting record() with this error.
    }
  }

  /** Places prepared rows in the chain, filling in their seq and hashes. */
  #append(rows: EventRow[]): AuditRecorded[] {
    const head = this.#store.head() ?? { seq: 0, hash: GENESIS_HASH };
    let seq = head.seq;
    let prevHash = head.hash;
    const recorded = new Array<AuditRecorded>(rows.length);
    for (let index = 0; index < rows.length; index++) {
      const row = rows[index]!;
      row[0] = ++seq;
      row[13] = prevHash;
      prevHash = row[14] = eventHash(row);
      recorded[index] = { seq, id: row[1], occurredAt: row[2], hash: prevHash };
    }
    this.#store.insertEvents(rows);
    this.#checkpointIfDue({ seq, hash: prevHash }, this.#checkpointEvery);
    return recorded;
  }

  /**
   * The clock as ISO 8601 UTC. Events arrive many to a millisecond under load, and
   * formatting a date costs as much as hashing an event, so one text serves them all.
   */
  #timestamp(): string {
    const now = this.#clock();
    const millis = now.getTime();
    if (millis !== this.#lastMillis) {
      this.#lastTimestamp = now.toISOString();
      this.#lastMillis = millis;
    }
    return this.#lastTimestamp;
  }

  #checkpointIfDue(head: ChainHead, threshold: number): AuditStatement | undefined {
    const last = this.#store.lastStatement('checkpoint');
    if (head.seq - (last?.seq ?? 0) < threshold) return undefined;
    return this.#sign('checkpoint', head);
  }

  #trim(throughSeq: number): AuditTrim {
    const head = this.#store.head();
    if (!head || throughSeq >= head.seq) {
      throw new AuditTrimError(`the newest event is never removed; cannot trim through ${throughSeq}`);
    }
    const anchor = this.#store.lastStatement('trim') ?? { seq: 0, hash: GENESIS_HASH };
    if (throughSeq <= anchor.seq) throw new AuditTrimError(`events through ${anchor.seq} are already removed`);
    // Signing over a prefix that is already broken would turn a deletion nobody noticed
    // into an anchored log that verifies: the first row must follow the previous anchor
    // (its seq and its hash), and the rows to remove must have no gaps.
    const first = this.#store.firstEvent();
    if (
      first?.seq !== anchor.seq + 1 ||
      first.prevHash !== anchor.hash ||
      this.#store.countThrough(throughSeq) !== throughSeq - anchor.seq
    ) {
      throw new AuditTrimError(`events ${anchor.seq + 1}–${throughSeq} are not intact; verify the log before trimming it`);
    }
    this.#sign('trim', { seq: throughSeq, hash: this.#store.hashAt(throughSeq)! });
    const removed = this.#store.deleteThrough(throughSeq);
    const event = prepareEvent(
      { actor: RETENTION_ACTOR, action: 'audit.retention.trim', outcome: 'success', details: { throughSeq, removed } },
      this.#timestamp(),
    );
    const recorded = this.#append([event])[0]!;
    // Signed at once, so the record of a trim cannot be cut off the tail unnoticed.
    this.#checkpointIfDue(recorded, 1);
    return { removed, recorded };
  }

  /**
   * Runs inside the caller's transaction. The file line is written before the commit:
   * if the witness cannot be written, the transaction rolls back (the events, or the
   * trim, with it) rather than leaving history that was never signed.
   */
  #sign(kind: StatementKind, at: ChainHead): AuditStatement {
    const statement = signStatement(
      {
        kind,
        scope: this.#scope,
        seq: at.seq,
        hash: at.hash,
        signedAt: this.#clock().toISOString(),
        keyVersion: this.#keyVersion,
      },
      (this.#privateKey ??= auditSigningKeys(this.#signingSeed).privateKey),
    );
    this.#store.insertStatement(statement);
    appendStatementLine(this.#checkpointFile, statement);
    return statement;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}
