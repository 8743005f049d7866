import { statement, type SqliteDatabase } from '../core/database.ts';

export interface SeenNetwork {
  network: string;
  lastSeenAt: string;
}

export function credentialNetworks(db: SqliteDatabase, credential: string): SeenNetwork[] {
  return statement(db, 'SELECT network, last_seen_at AS lastSeenAt FROM credential_network WHERE credential = ?').all(credential) as SeenNetwork[];
}

export function addCredentialNetwork(db: SqliteDatabase, row: { credential: string; workspaceId: string; network: string; at: string }): void {
  statement(
    db,
    `INSERT INTO credential_network (credential, workspace_id, network, first_seen_at, last_seen_at) VALUES (@credential, @workspaceId, @network, @at, @at)
     ON CONFLICT (credential, network) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
  ).run(row);
}

export function touchCredentialNetwork(db: SqliteDatabase, credential: string, network: string, at: string): void {
  statement(db, 'UPDATE credential_network SET last_seen_at = ? WHERE credential = ? AND network = ?').run(at, credential, network);
}

/** Keeps the `keep` networks seen most recently for the credential and forgets the rest. */
export function trimCredentialNetworks(db: SqliteDatabase, credential: string, keep: number): void {
  statement(
    db,
    `DELETE FROM credential_network WHERE credential = @credential AND network NOT IN (
       SELECT network FROM credential_network WHERE credential = @credential ORDER BY last_seen_at DESC, network LIMIT @keep)`,
  ).run({ credential, keep });
}
