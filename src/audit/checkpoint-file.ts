import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DIR_MODE, FILE_MODE } from '../core/database.ts';
import { canonicalJson } from './canonical-json.ts';
import { STATEMENT_KINDS, type AuditStatement, type StatementKind } from './signing.ts';

/**
 * The checkpoint file is a second, append-only witness of every signed statement
 * (checkpoints and retention trims) outside the database: someone who rewrites the
 * database must also rewrite this file, which may live on other media. One canonical
 * JSON object per line.
 */
export function appendStatementLine(path: string, statement: AuditStatement): void {
  const creating = !existsSync(path);
  if (creating) mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
  const line = Buffer.from(`${statementLine(statement)}\n`);
  const fd = openSync(path, 'a', FILE_MODE);
  try {
    // One write per line, so with O_APPEND two processes' lines never interleave.
    if (writeSync(fd, line) !== line.length) throw new Error(`short write to ${path}`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (creating) syncDirectory(dirname(path));
}

export function statementLine(statement: AuditStatement): string {
  return canonicalJson({
    kind: statement.kind,
    scope: statement.scope,
    seq: statement.seq,
    hash: statement.hash,
    signed_at: statement.signedAt,
    key_version: statement.keyVersion,
    signature: statement.signature,
  });
}

export interface StatementFileContents {
  statements: AuditStatement[];
  /** The first line that is not a statement; reading stops there. */
  malformedLine?: number;
}

/** A missing file reads as empty: the verifier then reports every table statement as unwitnessed. */
export function readStatementFile(path: string): StatementFileContents {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { statements: [] };
    throw error;
  }
  const statements: AuditStatement[] = [];
  const lines = text.split('\n');
  // A complete file ends with a newline, leaving one empty string after the split.
  if (lines.at(-1) === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    const statement = parseStatement(line);
    if (!statement) return { statements, malformedLine: index + 1 };
    statements.push(statement);
  }
  return { statements };
}

const HASH = /^[0-9a-f]{64}$/;

function parseStatement(line: string): AuditStatement | undefined {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof fields !== 'object' || fields === null) return undefined;
  const { kind, scope, seq, hash, signed_at, key_version, signature } = fields;
  if (
    !(STATEMENT_KINDS as readonly unknown[]).includes(kind) ||
    typeof scope !== 'string' ||
    !Number.isSafeInteger(seq) ||
    (seq as number) < 1 ||
    typeof hash !== 'string' ||
    !HASH.test(hash) ||
    typeof signed_at !== 'string' ||
    !Number.isSafeInteger(key_version) ||
    typeof signature !== 'string'
  ) {
    return undefined;
  }
  return {
    kind: kind as StatementKind,
    scope,
    seq: seq as number,
    hash,
    signedAt: signed_at,
    keyVersion: key_version as number,
    signature,
  };
}

function syncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
