import type { KeyObject } from 'node:crypto';
import type { SqliteDatabase } from '../core/database.ts';
import { readStatementFile } from './checkpoint-file.ts';
import { STATEMENT_KINDS, statementSignatureValid, type AuditStatement, type StatementKind } from './signing.ts';
import { listStatements, type StoredStatement } from './store.ts';

export interface StatementCheckOptions {
  db: SqliteDatabase;
  scope: string;
  publicKey: KeyObject | ((keyVersion: number) => KeyObject | undefined);
  checkpointFile: string;
}

/** Keeps the problem with the lowest seq; reports may arrive in any order. */
export class Findings {
  seq: number | undefined;
  problem: string | undefined;

  note(seq: number, problem: string): void {
    if (this.seq !== undefined && this.seq <= seq) return;
    this.seq = seq;
    this.problem = problem;
  }
}

/** `the checkpoint at event 10`, `the trim at event 10`. */
export function nameOf(statement: { kind: StatementKind; seq: number }): string {
  return `the ${statement.kind} at event ${statement.seq}`;
}

/** Notes why `statement` cannot be trusted, if it cannot; returns whether it can. */
export function checkSignature(statement: AuditStatement, options: StatementCheckOptions, findings: Findings): boolean {
  const { seq, scope, keyVersion } = statement;
  if (scope !== options.scope) {
    findings.note(seq, `${nameOf(statement)} belongs to log ${JSON.stringify(scope)}`);
    return false;
  }
  const key = typeof options.publicKey === 'function' ? options.publicKey(keyVersion) : options.publicKey;
  if (!key) {
    findings.note(seq, `no public key for key version ${keyVersion}, which signed ${nameOf(statement)}`);
    return false;
  }
  if (!statementSignatureValid(statement, key)) {
    findings.note(seq, `${nameOf(statement)} has an invalid signature`);
    return false;
  }
  return true;
}

/**
 * Holds the file against the table, one kind at a time. Returns the validly signed
 * lines the table has lost: statements known to have been signed all the same.
 */
export function compareWithFile(
  options: StatementCheckOptions,
  table: AuditStatement[],
  findings: Findings,
): AuditStatement[] {
  const file = readStatementFile(options.checkpointFile);
  const lost: AuditStatement[] = [];
  for (const kind of STATEMENT_KINDS) {
    const ofKind = (statement: AuditStatement) => statement.kind === kind;
    lost.push(...compareKind(options, table.filter(ofKind), file.statements.filter(ofKind), findings));
  }
  if (file.malformedLine !== undefined) {
    const after = file.statements.reduce((highest, statement) => Math.max(highest, statement.seq), 0);
    findings.note(after + 1, `line ${file.malformedLine} of the checkpoint file is not a signed statement`);
  }
  return lost;
}

/** `table` and `lines` hold one kind, the table's in seq order; returns the trusted lines the table lost. */
function compareKind(
  options: StatementCheckOptions,
  table: AuditStatement[],
  lines: AuditStatement[],
  findings: Findings,
): AuditStatement[] {
  const unwitnessed = new Map(table.map((statement) => [statement.seq, statement]));
  const lastInSnapshot = table.at(-1)?.seq ?? 0;
  const lost: AuditStatement[] = [];
  const newer: AuditStatement[] = [];
  const untrusted = new Set<AuditStatement>();
  let previous = 0;
  for (const line of lines) {
    if (line.seq <= previous) {
      findings.note(line.seq, `the checkpoint file lists ${nameOf(line)} after the one at event ${previous}`);
      continue;
    }
    previous = line.seq;
    const stored = unwitnessed.get(line.seq);
    unwitnessed.delete(line.seq);
    // A line identical to its row was already judged with the row's signature.
    if (stored && identical(line, stored)) continue;
    if (!checkSignature(line, options, findings)) untrusted.add(line);
    if (stored) findings.note(line.seq, `${nameOf(line)} differs between the database and the checkpoint file`);
    else if (line.seq > lastInSnapshot) newer.push(line);
    else lost.push(line);
  }
  for (const stored of unwitnessed.values()) {
    findings.note(stored.seq, `${nameOf(stored)} is in the database but not in the checkpoint file`);
  }
  const current = committedStatements(options.db, lastInSnapshot, newer);
  for (const line of newer) {
    const stored = current.get(line.seq);
    if (!stored) lost.push(line);
    else if (!identical(line, { ...stored, scope: options.scope })) {
      findings.note(line.seq, `${nameOf(line)} differs between the database and the checkpoint file`);
    }
  }
  for (const line of lost) {
    findings.note(line.seq, `${nameOf(line)} is in the checkpoint file but not in the database`);
  }
  return lost.filter((line) => !untrusted.has(line));
}

const COMMIT_WAITS_MS = [10, 20, 40, 80, 160, 320, 640];

/**
 * Lines past the snapshot belong to statements written since it was taken. A writer
 * fsyncs the line before it commits, so a line can briefly precede its row: wait for
 * the commit (about a second at most) before calling the statement removed.
 */
function committedStatements(
  db: SqliteDatabase,
  afterSeq: number,
  lines: AuditStatement[],
): Map<number, StoredStatement> {
  let current = new Map<number, StoredStatement>();
  const kind = lines[0]?.kind;
  if (kind === undefined) return current;
  for (const pause of [0, ...COMMIT_WAITS_MS]) {
    if (pause > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    current = new Map(listStatements(db, { kind, afterSeq }).map((stored) => [stored.seq, stored]));
    if (lines.every((line) => current.has(line.seq))) break;
  }
  return current;
}

function identical(line: AuditStatement, stored: AuditStatement): boolean {
  return (
    line.kind === stored.kind &&
    line.seq === stored.seq &&
    line.scope === stored.scope &&
    line.hash === stored.hash &&
    line.signedAt === stored.signedAt &&
    line.keyVersion === stored.keyVersion &&
    line.signature === stored.signature
  );
}
