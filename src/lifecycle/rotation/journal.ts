import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { FILE_MODE } from '../../core/database.ts';
import { KeyringError } from '../../core/keyring.ts';
import { rotationJournalPath } from './lock.ts';

/**
 * CRY-03: what a rotation set out to do, fixed when it starts, so a run after a crash
 * finishes the same rotation instead of starting another. Which steps are done is read
 * from the data itself wherever it can be (a seed's header names its master key version,
 * a database file opens with one key or the other, a credential row has its key version);
 * the journal adds the target versions and the workspaces already finished.
 */
const journalSchema = z.strictObject({
  format: z.literal('enclave-key-rotation'),
  startedAt: z.string(),
  phase: z.enum(['master', 'workspaces']),
  master: z.strictObject({ from: z.number().int().positive(), to: z.number().int().positive() }).nullable(),
  workspaces: z.array(z.strictObject({ id: z.string(), db: z.number().int().positive(), vault: z.number().int().positive() })),
  done: z.array(z.string()),
});

export type RotationJournal = z.infer<typeof journalSchema>;

export function readJournal(dataDir: string): RotationJournal | undefined {
  const path = rotationJournalPath(dataDir);
  if (!existsSync(path)) return undefined;
  const parsed = journalSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new KeyringError(`${path} is not a valid key rotation journal`);
  return parsed.data;
}

function syncDir(path: string): void {
  const fd = openSync(dirname(path), 'r');
  fsyncSync(fd);
  closeSync(fd);
}

/** Written to a temporary file, flushed and renamed: a crash leaves the old journal or the new one, never half of one. */
export function writeJournal(dataDir: string, journal: RotationJournal): void {
  const path = rotationJournalPath(dataDir);
  const staging = `${path}.tmp`;
  writeFileSync(staging, `${JSON.stringify(journal, null, 2)}\n`, { mode: FILE_MODE });
  const fd = openSync(staging, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(staging, path);
  syncDir(path);
}

export function removeJournal(dataDir: string): void {
  const path = rotationJournalPath(dataDir);
  rmSync(path, { force: true });
  syncDir(path);
}
