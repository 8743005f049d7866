import { statement, type SqliteDatabase } from '../core/database.ts';

export interface PasskeyRow {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Buffer;
  counter: number;
  /** JSON array of the transports the authenticator named at registration. */
  transports: string;
  device_type: string;
  backed_up: number;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

const COLUMNS = 'id, user_id, credential_id, public_key, counter, transports, device_type, backed_up, name, created_at, last_used_at';

export interface NewPasskey {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: Buffer;
  counter: number;
  transports: string;
  deviceType: string;
  backedUp: number;
  name: string;
  createdAt: string;
}

/** False when the credential is registered already (to this account or another). */
export function insertPasskey(db: SqliteDatabase, passkey: NewPasskey): boolean {
  return (
    statement(db,
      `INSERT INTO passkey (id, user_id, credential_id, public_key, counter, transports, device_type, backed_up, name, created_at)
       VALUES (@id, @userId, @credentialId, @publicKey, @counter, @transports, @deviceType, @backedUp, @name, @createdAt)
       ON CONFLICT (credential_id) DO NOTHING`,
    ).run(passkey).changes === 1
  );
}

export function listPasskeys(db: SqliteDatabase, userId: string): PasskeyRow[] {
  return statement(db, `SELECT ${COLUMNS} FROM passkey WHERE user_id = ? ORDER BY created_at, id`).all(userId) as PasskeyRow[];
}

export function findPasskeyByCredentialId(db: SqliteDatabase, credentialId: string): PasskeyRow | undefined {
  return statement(db, `SELECT ${COLUMNS} FROM passkey WHERE credential_id = ?`).get(credentialId) as PasskeyRow | undefined;
}

/** Both ids must match: a person can only ever rename or remove their own passkeys. */
export function renamePasskey(db: SqliteDatabase, id: string, userId: string, name: string): PasskeyRow | undefined {
  return statement(db, `UPDATE passkey SET name = ? WHERE id = ? AND user_id = ? RETURNING ${COLUMNS}`).get(name, id, userId) as PasskeyRow | undefined;
}

export function deletePasskey(db: SqliteDatabase, id: string, userId: string): boolean {
  return statement(db, 'DELETE FROM passkey WHERE id = ? AND user_id = ?').run(id, userId).changes === 1;
}

/**
 * Records a verified use, but only if its signature counter moved forward (or the
 * authenticator keeps no counter: both zero). Checked and written in one statement so two
 * assertions racing with the same counter cannot both pass. False means a possible clone.
 */
export function recordPasskeyUse(
  db: SqliteDatabase,
  use: { id: string; counter: number; backedUp: number; usedAt: string },
): boolean {
  return (
    statement(db,
      `UPDATE passkey SET counter = @counter, backed_up = @backedUp, last_used_at = @usedAt
       WHERE id = @id AND (counter < @counter OR (counter = 0 AND @counter = 0))`,
    ).run(use).changes === 1
  );
}

/** A session holds at most one registration in progress: asking again replaces it. */
export function saveRegistrationChallenge(
  db: SqliteDatabase,
  challenge: { sessionId: string; userId: string; challenge: string; expiresAt: string; createdAt: string },
): void {
  statement(db,
    `INSERT INTO passkey_registration_challenge (session_id, user_id, challenge, expires_at, created_at)
     VALUES (@sessionId, @userId, @challenge, @expiresAt, @createdAt)
     ON CONFLICT (session_id) DO UPDATE SET user_id = excluded.user_id, challenge = excluded.challenge,
       expires_at = excluded.expires_at, created_at = excluded.created_at`,
  ).run(challenge);
}

/** Spends the session's registration challenge: deleted as it is read, so it can be presented once. */
export function takeRegistrationChallenge(db: SqliteDatabase, sessionId: string, userId: string, now: string): string | undefined {
  const row = statement(db, 'DELETE FROM passkey_registration_challenge WHERE session_id = ? AND user_id = ? RETURNING challenge, expires_at').get(
    sessionId,
    userId,
  ) as { challenge: string; expires_at: string } | undefined;
  return row && row.expires_at > now ? row.challenge : undefined;
}

export function saveAuthenticationChallenge(
  db: SqliteDatabase,
  challenge: { ceremonyHash: string; challenge: string; expiresAt: string; createdAt: string },
): void {
  statement(db,
    `INSERT INTO passkey_authentication_challenge (ceremony_hash, challenge, expires_at, created_at)
     VALUES (@ceremonyHash, @challenge, @expiresAt, @createdAt)`,
  ).run(challenge);
}

/** Spends a sign-in ceremony's challenge: deleted as it is read, so it can be presented once. */
export function takeAuthenticationChallenge(db: SqliteDatabase, ceremonyHash: string, now: string): string | undefined {
  const row = statement(db, 'DELETE FROM passkey_authentication_challenge WHERE ceremony_hash = ? RETURNING challenge, expires_at').get(ceremonyHash) as
    | { challenge: string; expires_at: string }
    | undefined;
  return row && row.expires_at > now ? row.challenge : undefined;
}

export function liveAuthenticationChallenges(db: SqliteDatabase, now: string): number {
  return (statement(db, 'SELECT count(*) AS n FROM passkey_authentication_challenge WHERE expires_at > ?').get(now) as { n: number }).n;
}

/** Ceremonies nobody finished: swept whenever a new one starts, so the tables stay small. */
export function deleteExpiredChallenges(db: SqliteDatabase, now: string): void {
  statement(db, 'DELETE FROM passkey_authentication_challenge WHERE expires_at <= ?').run(now);
  statement(db, 'DELETE FROM passkey_registration_challenge WHERE expires_at <= ?').run(now);
}
