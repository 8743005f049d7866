import { statement, type SqliteDatabase } from '../core/database.ts';
import type { KeyPurpose } from '../core/keyring.ts';

/** CRY-03: the purposes `enclave rotate-keys` versions per workspace; the others stay at version 1. */
export type VersionedPurpose = 'db' | 'vault';

/** The key version a workspace's `purpose` key is currently at (1 for a workspace never rotated, or an unversioned purpose). */
export function workspaceKeyVersion(controlDb: SqliteDatabase, workspaceId: string, purpose: KeyPurpose): number {
  if (purpose !== 'db' && purpose !== 'vault') return 1;
  const row = statement(controlDb, 'SELECT db_key_version, vault_key_version FROM workspace WHERE id = ?').get(workspaceId) as
    | { db_key_version: number; vault_key_version: number }
    | undefined;
  if (!row) return 1;
  return purpose === 'db' ? row.db_key_version : row.vault_key_version;
}

export function setWorkspaceKeyVersion(controlDb: SqliteDatabase, workspaceId: string, purpose: VersionedPurpose, version: number): void {
  const column = purpose === 'db' ? 'db_key_version' : 'vault_key_version';
  statement(controlDb, `UPDATE workspace SET ${column} = ? WHERE id = ?`).run(version, workspaceId);
}
