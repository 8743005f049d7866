import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openEncryptedDatabase, opensWithKey, rekeyEncryptedDatabase, statement } from '../../core/database.ts';
import { createMasterKeyFile, Keyring, KeyringError, masterKeyPath, readMasterKeyFile, wrappedSeedMasterVersion } from '../../core/keyring.ts';
import { controlDatabasePath } from '../../core/layout.ts';
import type { Progress } from './progress.ts';

/** The new master key waits here until every seed and the control database are under it. */
export function nextMasterKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'master.next.key');
}

/**
 * CRY-03, master key: a new key version; every workspace seed re-wrapped from the old
 * key to the new one (one row at a time: each seed's header says which key wraps it);
 * the new key file carries the control root (wrapped by it); the control database rekeyed; then the new key file
 * replaces the old one by rename, so the old key is gone once the rotation is done.
 * Every step can be repeated, so a run killed anywhere is finished by the next.
 */
export async function rotateMasterKey(dataDir: string, versions: { from: number; to: number }, progress: Progress): Promise<void> {
  const current = readMasterKeyFile(dataDir);
  if (!current) throw new KeyringError(`no master key at ${masterKeyPath(dataDir)}`);
  // Killed after the new key replaced the old: nothing is left to do.
  if (current.version === versions.to) return;
  if (current.version !== versions.from) {
    throw new KeyringError(`the master key is version ${current.version}, but this rotation started from version ${versions.from}`);
  }
  const controlRoot = current.controlRoot ?? current.key;
  const nextPath = nextMasterKeyPath(dataDir);
  // A run killed while writing the new key leaves its staging copy (see createMasterKeyFile); it holds key material.
  for (const name of readdirSync(dirname(nextPath))) {
    if (name.startsWith(`${basename(nextPath)}.`) && name.endsWith('.tmp')) rmSync(join(dirname(nextPath), name), { force: true });
  }
  if (!existsSync(nextPath)) {
    createMasterKeyFile(dataDir, current.origin === 'development' ? 'development' : 'init', { path: nextPath, version: versions.to, controlRoot });
  }
  const next = readMasterKeyFile(dataDir, nextPath);
  if (next?.version !== versions.to || !next.controlRoot?.equals(controlRoot)) throw new KeyringError(`${nextPath} is not master key version ${versions.to} of this installation`);
  const before = new Keyring(current);
  const after = new Keyring(next);

  const path = controlDatabasePath(dataDir);
  if (!opensWithKey(path, after.controlDatabaseKey())) {
    const db = openEncryptedDatabase(path, { key: before.controlDatabaseKey() });
    try {
      const rows = statement(db, 'SELECT id, seed_wrapped FROM workspace WHERE length(seed_wrapped) > 0 ORDER BY created_at, id').all() as { id: string; seed_wrapped: Buffer }[];
      const update = statement(db, 'UPDATE workspace SET seed_wrapped = ? WHERE id = ?');
      for (const [index, row] of rows.entries()) {
        if (wrappedSeedMasterVersion(row.seed_wrapped) === versions.to) continue;
        await progress(`master key v${versions.from} → v${versions.to}: seed ${index + 1}/${rows.length} (${row.id})`);
        update.run(after.wrapSeed(row.id, before.unwrapSeed(row.id, row.seed_wrapped)), row.id);
      }
    } finally {
      db.close();
    }
    await progress(`master key v${versions.from} → v${versions.to}: rekeying the control database`);
    rekeyEncryptedDatabase(path, before.controlDatabaseKey(), after.controlDatabaseKey());
  }
  await progress(`master key v${versions.from} → v${versions.to}: replacing the key file`);
  renameSync(nextPath, masterKeyPath(dataDir));
  const dir = openSync(dirname(nextPath), 'r');
  fsyncSync(dir);
  closeSync(dir);
}
