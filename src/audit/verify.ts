import type { KeyObject } from 'node:crypto';
import type { SqliteDatabase } from '../core/database.ts';
import { GENESIS_HASH, eventHash } from './chain.ts';
import { readCheckpointFile } from './checkpoint-file.ts';
import { checkpointSignatureValid, type AuditCheckpoint } from './signing.ts';
import { iterateEventRows, listCheckpoints, type StoredCheckpoint } from './store.ts';

export interface AuditVerifyOptions {
  /** May be read-only; verification only reads. */
  db: SqliteDatabase;
  scope: string;
  /** The checkpoint-signing public key, or a lookup by key version once keys have rotated. */
  publicKey: KeyObject | ((keyVersion: number) => KeyObject | undefined);
  checkpointFile: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Events whose place in the chain was confirmed. */
  events: number;
  checkpoints: number;
  /** The earliest sequence number that is missing, altered or contradicted by a checkpoint. */
  firstBadSeq?: number;
  problem?: string;
}

/**
 * Checks that the log is exactly what was written: every row hashes to its stored hash
 * and chains to the one before, seqs are contiguous, every checkpoint carries a valid
 * signature for this scope, is identical in the table and the file, and matches the row
 * at its seq, and no checkpoint lies beyond the last row. Rows are streamed.
 */
export function verifyAuditChain(options: AuditVerifyOptions): AuditVerification {
  if (options.db.inTransaction) throw new Error('audit verification takes its own snapshot; call it outside a transaction');
  const findings = new Findings();
  // One read snapshot for the checkpoint table and the rows, so that a writer
  // appending meanwhile (the server, while the CLI verifies) cannot mix two states.
  const snapshot = options.db.transaction(() => {
    const table = listCheckpoints(options.db).map((stored): AuditCheckpoint => ({ ...stored, scope: options.scope }));
    for (const checkpoint of table) noteSignatureProblem(checkpoint, options, findings);
    const rows = checkEvents(options.db, new Map(table.map((checkpoint) => [checkpoint.seq, checkpoint.hash])), findings);
    return { table, rows };
  })();
  // Read after the snapshot: writers append a checkpoint's line before committing it,
  // so every checkpoint the snapshot holds is already in the file.
  const signedSeqs = compareWithFile(options, snapshot.table, findings);
  if (snapshot.rows.lastSeq !== undefined) checkTail(snapshot.rows.lastSeq, signedSeqs, findings);
  const summary = { events: snapshot.rows.confirmed, checkpoints: signedSeqs.length };
  return findings.seq === undefined
    ? { ok: true, ...summary }
    : { ok: false, ...summary, firstBadSeq: findings.seq, problem: findings.problem! };
}

/** Keeps the problem with the lowest seq; reports may arrive in any order. */
class Findings {
  seq: number | undefined;
  problem: string | undefined;

  note(seq: number, problem: string): void {
    if (this.seq !== undefined && this.seq <= seq) return;
    this.seq = seq;
    this.problem = problem;
  }
}

function noteSignatureProblem(checkpoint: AuditCheckpoint, options: AuditVerifyOptions, findings: Findings): void {
  const { seq, scope, keyVersion } = checkpoint;
  if (scope !== options.scope) {
    findings.note(seq, `the checkpoint at event ${seq} belongs to log ${JSON.stringify(scope)}`);
    return;
  }
  const key = typeof options.publicKey === 'function' ? options.publicKey(keyVersion) : options.publicKey;
  if (!key) {
    findings.note(seq, `no public key for key version ${keyVersion}, which signed the checkpoint at event ${seq}`);
  } else if (!checkpointSignatureValid(checkpoint, key)) {
    findings.note(seq, `the checkpoint at event ${seq} has an invalid signature`);
  }
}

interface EventsChecked {
  confirmed: number;
  /** The last row's seq (0 for none), once every row was read without a problem. */
  lastSeq?: number;
}

/** Streams the rows in seq order, against the snapshot's checkpoints. */
function checkEvents(db: SqliteDatabase, signedHashes: Map<number, string>, findings: Findings): EventsChecked {
  let confirmed = 0;
  let expectedSeq = 0;
  let expectedPrev = '';
  let lastCheckpoint = 0;
  for (const row of iterateEventRows(db)) {
    const seq = row[0];
    if (expectedSeq === 0) {
      const start = startOfChain(seq, signedHashes);
      if ('problem' in start) {
        findings.note(start.firstBadSeq, start.problem);
        return { confirmed };
      }
      expectedSeq = seq;
      expectedPrev = start.prevHash;
      lastCheckpoint = seq - 1;
    }
    // Nothing found from here on could be earlier than what is already known.
    if (findings.seq !== undefined && findings.seq <= seq) return { confirmed };
    let problem: string | undefined;
    const hash = eventHash(row);
    const signedHash = signedHashes.get(seq);
    if (seq !== expectedSeq) problem = `event ${expectedSeq} is missing`;
    else if (row[13] !== expectedPrev) problem = `event ${seq} does not follow event ${seq - 1}`;
    else if (hash !== row[14]) problem = `event ${seq} was altered after it was written`;
    else if (signedHash !== undefined && signedHash !== hash) {
      problem = `events ${lastCheckpoint + 1}–${seq} were rewritten: event ${seq} does not match its signed checkpoint`;
    }
    if (problem) {
      findings.note(expectedSeq, problem);
      return { confirmed };
    }
    if (signedHash !== undefined) lastCheckpoint = seq;
    expectedPrev = hash;
    expectedSeq++;
    confirmed++;
  }
  return { confirmed, lastSeq: Math.max(0, expectedSeq - 1) };
}

type ChainStart = { prevHash: string } | { problem: string; firstBadSeq: number };

/**
 * Event 1 follows the genesis hash. A later first event is accepted only when a signed
 * checkpoint at the seq before it anchors its prev_hash: that is what retention leaves.
 */
function startOfChain(seq: number, signedHashes: Map<number, string>): ChainStart {
  if (seq < 1) return { problem: `event ${seq} has an impossible sequence number`, firstBadSeq: seq };
  if (seq === 1) return { prevHash: GENESIS_HASH };
  const anchor = signedHashes.get(seq - 1);
  if (anchor !== undefined) return { prevHash: anchor };
  let lastSignedBefore = 0;
  for (const signedSeq of signedHashes.keys()) if (signedSeq < seq) lastSignedBefore = signedSeq;
  return {
    problem: `events ${lastSignedBefore + 1}–${seq - 1} are missing and no checkpoint anchors event ${seq}`,
    firstBadSeq: lastSignedBefore + 1,
  };
}

/**
 * Holds the file against the table. Returns, in seq order, the seqs of every checkpoint
 * known to have been signed: the snapshot's, plus file lines the table has lost.
 */
function compareWithFile(options: AuditVerifyOptions, table: AuditCheckpoint[], findings: Findings): number[] {
  const file = readCheckpointFile(options.checkpointFile);
  const unwitnessed = new Map(table.map((checkpoint) => [checkpoint.seq, checkpoint]));
  const lastInSnapshot = table.at(-1)?.seq ?? 0;
  const lost: number[] = [];
  const newer: AuditCheckpoint[] = [];
  let previous = 0;
  for (const line of file.checkpoints) {
    if (line.seq <= previous) {
      findings.note(line.seq, `the checkpoint file lists event ${line.seq} after event ${previous}`);
      continue;
    }
    previous = line.seq;
    noteSignatureProblem(line, options, findings);
    const stored = unwitnessed.get(line.seq);
    unwitnessed.delete(line.seq);
    if (stored) noteDifference(line, stored, findings);
    else if (line.seq > lastInSnapshot) newer.push(line);
    else lost.push(line.seq);
  }
  if (file.malformedLine !== undefined) {
    findings.note(previous + 1, `line ${file.malformedLine} of the checkpoint file is not a checkpoint`);
  }
  for (const seq of unwitnessed.keys()) {
    findings.note(seq, `the checkpoint at event ${seq} is in the database but not in the checkpoint file`);
  }
  const current = committedCheckpoints(options.db, lastInSnapshot, newer);
  for (const line of newer) {
    const stored = current.get(line.seq);
    if (stored) noteDifference(line, { ...stored, scope: options.scope }, findings);
    else lost.push(line.seq);
  }
  for (const seq of lost) {
    findings.note(seq, `the checkpoint at event ${seq} is in the checkpoint file but not in the database`);
  }
  return [...table.map((checkpoint) => checkpoint.seq), ...lost].sort((a, b) => a - b);
}

const COMMIT_WAITS_MS = [10, 20, 40, 80, 160, 320, 640];

/**
 * Lines past the snapshot belong to checkpoints written since it was taken. A writer
 * fsyncs the line before it commits, so a line can briefly precede its row: wait for
 * the commit (about a second at most) before calling the checkpoint removed.
 */
function committedCheckpoints(
  db: SqliteDatabase,
  afterSeq: number,
  lines: AuditCheckpoint[],
): Map<number, StoredCheckpoint> {
  let current = new Map<number, StoredCheckpoint>();
  if (lines.length === 0) return current;
  for (const pause of [0, ...COMMIT_WAITS_MS]) {
    if (pause > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    current = new Map(listCheckpoints(db, afterSeq).map((stored) => [stored.seq, stored]));
    if (lines.every((line) => current.has(line.seq))) break;
  }
  return current;
}

function noteDifference(line: AuditCheckpoint, stored: AuditCheckpoint, findings: Findings): void {
  const same =
    line.scope === stored.scope &&
    line.hash === stored.hash &&
    line.signedAt === stored.signedAt &&
    line.keyVersion === stored.keyVersion &&
    line.signature === stored.signature;
  if (!same) {
    findings.note(line.seq, `the checkpoint at event ${line.seq} differs between the database and the checkpoint file`);
  }
}

/**
 * Rows cut from the end show up as a checkpoint beyond the last row. Retention never
 * removes the newest checkpointed row, so an empty table is missing everything after
 * the checkpoint before the newest one.
 */
function checkTail(lastSeq: number, signedSeqs: number[], findings: Findings): void {
  const lastSigned = signedSeqs.at(-1);
  if (lastSigned === undefined) return;
  if (lastSeq === 0) {
    const from = (signedSeqs.at(-2) ?? 0) + 1;
    findings.note(from, `events ${from}–${lastSigned} are missing: no events remain, but the checkpoint at event ${lastSigned} was signed`);
  } else if (lastSigned > lastSeq) {
    findings.note(lastSeq + 1, `the log ends at event ${lastSeq}, but a checkpoint was signed at event ${lastSigned}`);
  }
}
