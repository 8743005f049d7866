import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIR_MODE, FILE_MODE } from '../../core/database.ts';
import { KeyringError } from '../../core/keyring.ts';

/**
 * CRY-03: `enclave rotate-keys` is offline. It re-encrypts database files under new keys,
 * which no other process may have open, so the two sides each leave a mark and check the
 * other's: every process that opens the platform (the server, and CLI commands such as
 * `backup`) writes a marker file named after its pid, and refuses to start while a rotation
 * journal exists; the rotation writes its journal first and then refuses while a live
 * process has a marker. Whichever comes second sees the first.
 */
export function rotationJournalPath(dataDir: string): string {
  return join(dataDir, 'keys', 'rotation.json');
}

export function markerDir(dataDir: string): string {
  return join(dataDir, 'control', 'open-by');
}

export function assertNoRotationInProgress(dataDir: string): void {
  if (existsSync(rotationJournalPath(dataDir))) {
    throw new KeyringError(`a key rotation is unfinished (${rotationJournalPath(dataDir)}); run \`enclave rotate-keys --data-dir ${dataDir}\` to complete it first`);
  }
}

/** Marks the data dir as open by this process; returns the release, called on close. */
export function markOpen(dataDir: string): () => void {
  mkdirSync(markerDir(dataDir), { recursive: true, mode: DIR_MODE });
  const path = join(markerDir(dataDir), `${process.pid}-${randomBytes(6).toString('hex')}`);
  writeFileSync(path, '', { mode: FILE_MODE });
  return () => rmSync(path, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pids of live processes that have the data dir open; markers of dead ones (a crash, SIGKILL) are removed. */
export function processesWithDataDirOpen(dataDir: string): number[] {
  const dir = markerDir(dataDir);
  if (!existsSync(dir)) return [];
  const pids = new Set<number>();
  for (const name of readdirSync(dir)) {
    const pid = Number.parseInt(name.split('-')[0] ?? '', 10);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) pids.add(pid);
    else rmSync(join(dir, name), { force: true });
  }
  return [...pids];
}
