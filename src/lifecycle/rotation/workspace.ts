import { existsSync } from 'node:fs';
import type { RequestMeta } from '../../access/actor.ts';
import { auditEvent } from '../../access/audit-event.ts';
import { opensWithKey, rekeyEncryptedDatabase, statement, type SqliteDatabase } from '../../core/database.ts';
import { deriveWorkspaceKey } from '../../core/keyring.ts';
import { workspaceDatabasePath } from '../../core/layout.ts';
import { rewrapDataKey } from '../../vault/envelope.ts';
import { contexts } from '../../vault/service.ts';
import type { WorkspaceDatabases } from '../../workspaces/databases.ts';
import { setWorkspaceKeyVersion, workspaceKeyVersion } from '../../workspaces/key-versions.ts';
import type { Progress } from './progress.ts';

export interface WorkspaceRotation {
  dataDir: string;
  controlDb: SqliteDatabase;
  databases: WorkspaceDatabases;
  meta: RequestMeta;
  progress: Progress;
}

export interface WorkspaceRotated {
  id: string;
  dbKeyVersion: number;
  vaultKeyVersion: number;
  credentialsRewrapped: number;
}

/**
 * CRY-03, one workspace: its database file rekeyed to the next 'db' key version, then
 * every vault credential's data key re-wrapped under the next 'vault' key version (the
 * secrets themselves are untouched), each version recorded in the control database as
 * soon as its step is done. Repeatable: the file opens with the new key or the old, and
 * each credential row carries the version its data key is wrapped under.
 */
export async function rotateWorkspace(
  rotation: WorkspaceRotation,
  target: { id: string; db: number; vault: number },
  seed: Buffer,
  label: string,
): Promise<WorkspaceRotated> {
  const { controlDb, progress } = rotation;
  const { id } = target;
  const dbVersion = workspaceKeyVersion(controlDb, id, 'db');
  if (dbVersion !== target.db) {
    await progress(`${label}: database key v${dbVersion} → v${target.db}`);
    const path = workspaceDatabasePath(rotation.dataDir, id);
    const next = deriveWorkspaceKey(seed, id, 'db', target.db);
    if (existsSync(path) && !opensWithKey(path, next)) rekeyEncryptedDatabase(path, deriveWorkspaceKey(seed, id, 'db', dbVersion), next);
    setWorkspaceKeyVersion(controlDb, id, 'db', target.db);
  }

  const handle = rotation.databases.open(id);
  const vaultVersion = workspaceKeyVersion(controlDb, id, 'vault');
  const rows = statement(handle.db, 'SELECT id, scopes, key_version, wrapped_key FROM vault_credential WHERE key_version != ?').all(target.vault) as {
    id: string;
    scopes: string;
    key_version: number;
    wrapped_key: Buffer;
  }[];
  await progress(`${label}: vault key v${vaultVersion} → v${target.vault}, ${rows.length} credential(s) to re-wrap`);
  const to = deriveWorkspaceKey(seed, id, 'vault', target.vault);
  const update = statement(handle.db, 'UPDATE vault_credential SET wrapped_key = ?, key_version = ? WHERE id = ?');
  handle.db.transaction(() => {
    for (const row of rows) {
      const from = deriveWorkspaceKey(seed, id, 'vault', row.key_version);
      update.run(rewrapDataKey(from, to, contexts(id, row.id, row.scopes).key, row.wrapped_key), target.vault, row.id);
    }
  })();
  setWorkspaceKeyVersion(controlDb, id, 'vault', target.vault);
  const result = { id, dbKeyVersion: target.db, vaultKeyVersion: target.vault, credentialsRewrapped: rows.length };
  await handle.audit.record(auditEvent(rotation.meta, 'workspace.keys.rotate', { type: 'workspace', id }, { dbKeyVersion: target.db, vaultKeyVersion: target.vault, credentialsRewrapped: rows.length }));
  // Closing flushes and checkpoints the audit chain before the journal says this workspace is done.
  rotation.databases.evict(id);
  return result;
}
