import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readStatementFile, statementLine } from '../audit/checkpoint-file.ts';
import { listStatements } from '../audit/store.ts';
import { DIR_MODE, FILE_MODE, openEncryptedDatabase, type SqliteDatabase } from '../core/database.ts';

/**
 * A consistent online copy of an open database: VACUUM INTO reads one snapshot while
 * writers carry on, and the copy keeps the connection's cipher and key, so it is still a
 * SQLCipher file that opens with the same key (and nothing else).
 */
export function snapshotDatabase(db: SqliteDatabase, target: string): void {
  mkdirSync(dirname(target), { recursive: true, mode: DIR_MODE });
  db.prepare('VACUUM INTO ?').run(target);
}

/**
 * The checkpoint file that belongs to a database copy. Writers append a statement's line
 * before committing its row, so the live file, read after the copy was taken, holds every
 * statement the copy holds, and perhaps lines signed since. Those later lines are dropped
 * (the copy's chain does not reach them, and the verifier would call them cut off); every
 * earlier line is kept as it is, so a backup never hides what the verifier should see.
 */
export function snapshotCheckpointFile(copy: string, key: Buffer, liveFile: string, target: string): number {
  const copied = openEncryptedDatabase(copy, { key, readonly: true });
  let lastSigned: Map<string, number>;
  try {
    lastSigned = new Map();
    for (const statement of listStatements(copied)) lastSigned.set(statement.kind, Math.max(lastSigned.get(statement.kind) ?? 0, statement.seq));
  } finally {
    copied.close();
  }
  const { statements } = readStatementFile(liveFile);
  const kept = statements.filter((statement) => statement.seq <= (lastSigned.get(statement.kind) ?? 0));
  mkdirSync(dirname(target), { recursive: true, mode: DIR_MODE });
  writeFileSync(target, kept.map((statement) => `${statementLine(statement)}\n`).join(''), { mode: FILE_MODE });
  return kept.length;
}
