import type { KeyObject } from 'node:crypto';
import type { SqliteDatabase } from '../core/database.ts';
import { GENESIS_HASH, hashOfInput, inputFollows } from './chain.ts';
import type { AuditStatement, StatementKind } from './signing.ts';
import { chainPages, listStatements } from './store.ts';
import { Findings, checkSignature, compareWithFile, nameOf } from './verify-statements.ts';

export interface AuditVerifyOptions {
  /** May be read-only; verification only reads. */
  db: SqliteDatabase;
  scope: string;
  /** The statement-signing public key, or a lookup by key version once keys have rotated. */
  publicKey: KeyObject | ((keyVersion: number) => KeyObject | undefined);
  checkpointFile: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Events whose place in the chain was confirmed. */
  events: number;
  checkpoints: number;
  /** The earliest sequence number that is missing, altered or contradicted by a signed statement. */
  firstBadSeq?: number;
  problem?: string;
}

/**
 * Checks that the log is exactly what was written: every row hashes to its stored hash
 * and chains to the one before, seqs are contiguous, the first row is event 1 or is
 * anchored by a signed retention trim, every statement (checkpoint or trim) carries a
 * valid signature for this scope, is identical in the table and the file, and matches
 * the row at its seq, and no statement lies beyond the last row. Rows are streamed.
 */
export function verifyAuditChain(options: AuditVerifyOptions): AuditVerification {
  if (options.db.inTransaction) throw new Error('audit verification takes its own snapshot; call it outside a transaction');
  const findings = new Findings();
  // One read snapshot for the statement table and the rows, so that a writer
  // appending meanwhile (the server, while the CLI verifies) cannot mix two states.
  const snapshot = options.db.transaction(() => {
    const table = listStatements(options.db).map((stored): AuditStatement => ({ ...stored, scope: options.scope }));
    // Only statements that verify may anchor the chain or vouch for a row.
    const trusted = table.filter((statement) => checkSignature(statement, options, findings));
    return { table, trusted, events: checkEvents(options.db, trusted, findings) };
  })();
  // Read after the snapshot: writers append a statement's line before committing it,
  // so every statement the snapshot holds is already in the file.
  const signed = [...snapshot.trusted, ...compareWithFile(options, snapshot.table, findings)];
  if (snapshot.events.lastSeq !== undefined) checkEnd(snapshot.events.lastSeq, signed, findings);
  const summary = {
    events: snapshot.events.confirmed,
    checkpoints: signed.filter((statement) => statement.kind === 'checkpoint').length,
  };
  return findings.seq === undefined
    ? { ok: true, ...summary }
    : { ok: false, ...summary, firstBadSeq: findings.seq, problem: findings.problem! };
}

interface EventsChecked {
  confirmed: number;
  /** The last row's seq (0 for none), once every row was read without a problem. */
  lastSeq?: number;
}

/** Streams the rows in seq order, against the snapshot's trusted statements. */
function checkEvents(db: SqliteDatabase, statements: AuditStatement[], findings: Findings): EventsChecked {
  const signed = signedHashes(statements, findings);
  const trims = new Map(statements.filter((statement) => statement.kind === 'trim').map((trim) => [trim.seq, trim.hash]));
  let confirmed = 0;
  let expectedSeq = 0;
  let expectedPrev = '';
  let lastSigned = 0;
  for (const page of chainPages(db)) {
    for (const row of page) {
      const seq = row[0];
      if (expectedSeq === 0) {
        const start = startOfChain(seq, trims);
        if ('problem' in start) {
          findings.note(start.firstBadSeq, start.problem);
          return { confirmed };
        }
        expectedSeq = seq;
        expectedPrev = start.prevHash;
        lastSigned = seq - 1;
      }
      // Nothing found from here on could be earlier than what is already known.
      if (findings.seq !== undefined && findings.seq <= seq) return { confirmed };
      const hash = row[1];
      const input = row[2];
      const statement = signed.get(seq);
      let problem: string | undefined;
      if (seq !== expectedSeq) problem = `event ${expectedSeq} is missing`;
      else if (!inputFollows(input, expectedPrev)) problem = `event ${seq} does not follow event ${seq - 1}`;
      else if (hashOfInput(input) !== hash) problem = `event ${seq} was altered after it was written`;
      else if (statement !== undefined && statement.hash !== hash) {
        problem = `events ${lastSigned + 1}–${seq} were rewritten: event ${seq} does not match its signed ${statement.kind}`;
      }
      if (problem) {
        findings.note(expectedSeq, problem);
        return { confirmed };
      }
      if (statement !== undefined) lastSigned = seq;
      expectedPrev = hash;
      expectedSeq++;
      confirmed++;
    }
  }
  return { confirmed, lastSeq: Math.max(0, expectedSeq - 1) };
}

/** The hash every statement signed at each seq; two statements at one seq must agree. */
function signedHashes(statements: AuditStatement[], findings: Findings): Map<number, { kind: StatementKind; hash: string }> {
  const signed = new Map<number, { kind: StatementKind; hash: string }>();
  for (const { kind, seq, hash } of statements) {
    const other = signed.get(seq);
    if (other !== undefined && other.hash !== hash) findings.note(seq, `the signed statements at event ${seq} disagree`);
    else signed.set(seq, { kind, hash });
  }
  return signed;
}

type ChainStart = { prevHash: string } | { problem: string; firstBadSeq: number };

/**
 * Event 1 follows the genesis hash. A later first event is accepted only when a signed
 * trim at the seq before it anchors its prev_hash: that is what retention leaves, and
 * nothing else may remove events. A checkpoint anchors nothing, since one is signed at
 * every close and would otherwise license deleting everything before it.
 */
function startOfChain(seq: number, trims: Map<number, string>): ChainStart {
  if (seq < 1) return { problem: `event ${seq} has an impossible sequence number`, firstBadSeq: seq };
  if (seq === 1) return { prevHash: GENESIS_HASH };
  const anchor = trims.get(seq - 1);
  if (anchor !== undefined) return { prevHash: anchor };
  let lastTrimBefore = 0;
  for (const trimSeq of trims.keys()) if (trimSeq < seq) lastTrimBefore = Math.max(lastTrimBefore, trimSeq);
  return {
    problem: `${span(lastTrimBefore + 1, seq - 1)} missing and no valid trim anchors event ${seq}`,
    firstBadSeq: lastTrimBefore + 1,
  };
}

/**
 * Rows cut from the end show up as a statement the rows do not reach: a checkpoint
 * beyond the last row, or a trim at or beyond it (a trim never removes the newest event).
 */
function checkEnd(lastSeq: number, signed: AuditStatement[], findings: Findings): void {
  let lastCheckpoint: AuditStatement | undefined;
  let lastTrim: AuditStatement | undefined;
  for (const statement of signed) {
    if (statement.kind === 'checkpoint' && statement.seq > (lastCheckpoint?.seq ?? 0)) lastCheckpoint = statement;
    if (statement.kind === 'trim' && statement.seq > (lastTrim?.seq ?? 0)) lastTrim = statement;
  }
  const reached = Math.max(lastCheckpoint?.seq ?? 0, lastTrim ? lastTrim.seq + 1 : 0);
  if (lastSeq === 0) {
    const from = (lastTrim?.seq ?? 0) + 1;
    if (reached > 0) findings.note(from, `${span(from, reached)} missing: no events remain, but the log had reached event ${reached}`);
  } else if (lastCheckpoint && lastCheckpoint.seq > lastSeq) {
    findings.note(lastSeq + 1, `the log ends at event ${lastSeq}, but ${nameOf(lastCheckpoint)} was signed`);
  } else if (lastTrim && lastTrim.seq >= lastSeq) {
    findings.note(lastSeq + 1, `the log ends at event ${lastSeq}, but ${nameOf(lastTrim)} was signed while a newer event existed`);
  }
}

/** `event 4 is`, `events 4–9 are`. */
function span(from: number, to: number): string {
  return from === to ? `event ${from} is` : `events ${from}–${to} are`;
}
