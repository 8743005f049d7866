import { statement, type SqliteDatabase } from '../core/database.ts';

/** One stored OAuth artifact (see migrations.ts); `payload` is oidc-provider's JSON without its id. */
export interface ArtifactRow {
  payload: string;
  expires_at: number | null;
  consumed_at: number | null;
}

export function upsertArtifact(
  db: SqliteDatabase,
  row: { model: string; idHash: string; grantId: string | null; uidHash: string | null; payload: string; expiresAt: number | null },
): void {
  statement(
    db,
    `INSERT INTO oauth_artifact (model, id_hash, grant_id, uid_hash, payload, expires_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (model, id_hash) DO UPDATE SET grant_id = excluded.grant_id, uid_hash = excluded.uid_hash, payload = excluded.payload, expires_at = excluded.expires_at`,
  ).run(row.model, row.idHash, row.grantId, row.uidHash, row.payload, row.expiresAt);
}

export function findArtifact(db: SqliteDatabase, model: string, idHash: string): ArtifactRow | undefined {
  return statement<[string, string], ArtifactRow>(db, 'SELECT payload, expires_at, consumed_at FROM oauth_artifact WHERE model = ? AND id_hash = ?').get(model, idHash);
}

export function findArtifactByUid(db: SqliteDatabase, model: string, uidHash: string): (ArtifactRow & { id_hash: string }) | undefined {
  return statement<[string, string], ArtifactRow & { id_hash: string }>(
    db,
    'SELECT id_hash, payload, expires_at, consumed_at FROM oauth_artifact WHERE model = ? AND uid_hash = ?',
  ).get(model, uidHash);
}

export function consumeArtifact(db: SqliteDatabase, model: string, idHash: string, at: number): void {
  statement(db, 'UPDATE oauth_artifact SET consumed_at = ? WHERE model = ? AND id_hash = ?').run(at, model, idHash);
}

export function deleteArtifact(db: SqliteDatabase, model: string, idHash: string): void {
  statement(db, 'DELETE FROM oauth_artifact WHERE model = ? AND id_hash = ?').run(model, idHash);
}

/** Everything issued under a grant: codes, access and refresh tokens (and the grant itself, when asked by its own id). */
export function deleteArtifactsOfGrant(db: SqliteDatabase, grantId: string): number {
  return statement(db, 'DELETE FROM oauth_artifact WHERE grant_id = ?').run(grantId).changes;
}

/** The expiry sweeper's share: rows oidc-provider would no longer accept anyway. */
export function deleteExpiredArtifacts(db: SqliteDatabase, nowSeconds: number): number {
  return statement(db, 'DELETE FROM oauth_artifact WHERE expires_at IS NOT NULL AND expires_at <= ?').run(nowSeconds).changes;
}
