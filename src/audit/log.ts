import type { KeyObject } from 'node:crypto';
import type { SqliteDatabase } from '../core/database.ts';
import { GENESIS_HASH, eventHash } from './chain.ts';
import { appendCheckpointLine } from './checkpoint-file.ts';
import { prepareEvent, type AuditEventInput, type AuditRecorded, type EventRow, type PendingEvent } from './event.ts';
import { auditSigningKeys, signCheckpoint, type AuditCheckpoint } from './signing.ts';
import { AuditStore, type ChainHead } from './store.ts';

export interface AuditLogOptions {
  /** An open database that has `auditMigrations` applied. The caller owns and closes it. */
  db: SqliteDatabase;
  /** The workspace id, or `control` for the control plane; signed into every checkpoint. */
  scope: string;
  /** 32 bytes derived from the workspace key material for the audit-signing purpose. */
  signingSeed: Buffer;
  /** Append-only JSON-lines witness of every checkpoint, kept outside the database. */
  checkpointFile: string;
  keyVersion?: number;
  checkpointEvery?: number;
  clock?: () => Date;
}

interface QueuedEvent {
  event: PendingEvent;
  resolve: (recorded: AuditRecorded) => void;
  reject: (error: unknown) => void;
}

export class AuditLogClosedError extends Error {
  override name = 'AuditLogClosedError';
  constructor() {
    super('the audit log is closed');
  }
}

/**
 * The append side of one hash-chained audit log. Events recorded in the same tick are
 * written together in one transaction (group commit), since a transaction per event
 * caps throughput near 2k events/s.
 */
export class AuditLog {
  readonly #store: AuditStore;
  readonly #scope: string;
  readonly #privateKey: KeyObject;
  readonly #checkpointFile: string;
  readonly #keyVersion: number;
  readonly #checkpointEvery: number;
  readonly #clock: () => Date;
  // BEGIN IMMEDIATE takes the write lock before the head is read, so a second process
  // (the CLI) appending to the same file can never fork the chain.
  readonly #appendBatch;
  readonly #checkpointHead;
  #queue: QueuedEvent[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #closed = false;

  constructor(options: AuditLogOptions) {
    if (typeof options.scope !== 'string' || options.scope.length === 0) throw new Error('an audit log needs a scope');
    if (!options.checkpointFile) throw new Error('an audit log needs a checkpoint file');
    this.#keyVersion = positiveInteger('keyVersion', options.keyVersion ?? 1);
    this.#checkpointEvery = positiveInteger('checkpointEvery', options.checkpointEvery ?? 1000);
    this.#store = new AuditStore(options.db);
    this.#scope = options.scope;
    this.#privateKey = auditSigningKeys(options.signingSeed).privateKey;
    this.#checkpointFile = options.checkpointFile;
    this.#clock = options.clock ?? (() => new Date());
    this.#appendBatch = options.db.transaction((events: PendingEvent[]) => this.#append(events));
    this.#checkpointHead = options.db.transaction(() => {
      const head = this.#store.head();
      return head ? this.#checkpointIfDue(head, 1) : undefined;
    });
  }

  /** Resolves once the event is committed; rejects if it is invalid or could not be written. */
  record(input: AuditEventInput): Promise<AuditRecorded> {
    if (this.#closed) return Promise.reject(new AuditLogClosedError());
    let event: PendingEvent;
    try {
      event = prepareEvent(input, this.#clock());
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ event, resolve, reject });
      this.#scheduled ??= setImmediate(() => this.#drain());
    });
  }

  /** Writes everything queued now, in one transaction. */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    let recorded: AuditRecorded[];
    try {
      recorded = this.#appendBatch.immediate(batch.map((queued) => queued.event));
    } catch (error) {
      for (const queued of batch) queued.reject(error);
      throw error;
    }
    batch.forEach((queued, index) => queued.resolve(recorded[index]!));
  }

  /** Signs the current head unless it is already checkpointed; returns the new checkpoint, if any. */
  checkpoint(): AuditCheckpoint | undefined {
    this.flush();
    return this.#checkpointHead.immediate();
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

  #append(events: PendingEvent[]): AuditRecorded[] {
    let head: ChainHead = this.#store.head() ?? { seq: 0, hash: GENESIS_HASH };
    const recorded: AuditRecorded[] = [];
    for (const event of events) {
      const row: EventRow = [
        head.seq + 1,
        event.id,
        event.occurredAt,
        event.actor.type,
        event.actor.id,
        event.action,
        event.target?.type ?? null,
        event.target?.id ?? null,
        event.ip ?? null,
        event.userAgent ?? null,
        event.requestId ?? null,
        event.outcome,
        event.details,
        head.hash,
        '',
      ];
      row[14] = eventHash(row);
      this.#store.insertEvent(row);
      head = { seq: row[0], hash: row[14] };
      recorded.push({ seq: head.seq, id: event.id, occurredAt: event.occurredAt, hash: head.hash });
    }
    this.#checkpointIfDue(head, this.#checkpointEvery);
    return recorded;
  }

  /**
   * Runs inside the caller's transaction. The file line is written before the commit:
   * if the witness cannot be written, the events roll back and their record() calls
   * fail, rather than leaving history that was never signed.
   */
  #checkpointIfDue(head: ChainHead, threshold: number): AuditCheckpoint | undefined {
    const last = this.#store.lastCheckpoint();
    if (head.seq - (last?.seq ?? 0) < threshold) return undefined;
    const checkpoint = signCheckpoint(
      {
        scope: this.#scope,
        seq: head.seq,
        hash: head.hash,
        signedAt: this.#clock().toISOString(),
        keyVersion: this.#keyVersion,
      },
      this.#privateKey,
    );
    this.#store.insertCheckpoint(checkpoint);
    appendCheckpointLine(this.#checkpointFile, checkpoint);
    return checkpoint;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}
