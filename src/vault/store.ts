import { statement, type SqliteDatabase } from '../core/database.ts';

export interface CredentialRow {
  id: string;
  name: string;
  kind: string;
  preset: string | null;
  hint: string;
  scopes: string;
  key_version: number;
  wrapped_key: Buffer;
  ciphertext: Buffer;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

export function insertCredential(db: SqliteDatabase, row: CredentialRow): void {
  statement(
    db,
    `INSERT INTO vault_credential (id, name, kind, preset, hint, scopes, key_version, wrapped_key, ciphertext, disabled_at, created_at, updated_at)
     VALUES (@id, @name, @kind, @preset, @hint, @scopes, @key_version, @wrapped_key, @ciphertext, @disabled_at, @created_at, @updated_at)`,
  ).run(row);
}

export function findCredential(db: SqliteDatabase, id: string): CredentialRow | undefined {
  return statement(db, 'SELECT * FROM vault_credential WHERE id = ?').get(id) as CredentialRow | undefined;
}

export function listCredentials(db: SqliteDatabase): CredentialRow[] {
  return statement(db, 'SELECT * FROM vault_credential ORDER BY created_at, id').all() as CredentialRow[];
}

/** Replaces the whole row but its id and creation time. */
export function updateCredential(db: SqliteDatabase, row: CredentialRow): void {
  statement(
    db,
    `UPDATE vault_credential SET name = @name, kind = @kind, preset = @preset, hint = @hint, scopes = @scopes, key_version = @key_version,
       wrapped_key = @wrapped_key, ciphertext = @ciphertext, disabled_at = @disabled_at, updated_at = @updated_at WHERE id = @id`,
  ).run(row);
}

export function deleteCredential(db: SqliteDatabase, id: string): boolean {
  return statement(db, 'DELETE FROM vault_credential WHERE id = ?').run(id).changes === 1;
}
