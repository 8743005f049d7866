import { statement, type SqliteDatabase } from '../core/database.ts';

/** A row of better-auth's session table; dates are ISO-8601 text, as its SQLite adapter writes them. */
export interface SessionRow {
  id: string;
  token: string;
  userId: string;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
  ipAddress: string | null;
  userAgent: string | null;
  previousToken: string | null;
  tokenIssuedAt: string | null;
  /** Set while the sign-in still owes its second factor: such a session authenticates nothing. */
  mfaPendingUntil: string | null;
  /** How a pending sign-in proved its first factor (`password`, `magic_link`…): some second factors do not fit every first one. */
  mfaFirstFactor: string | null;
}

const COLUMNS =
  '"id", "token", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent", "previousToken", "tokenIssuedAt", "mfaPendingUntil", "mfaFirstFactor"';

/**
 * The session a token hash belongs to: its current token, or the one it replaced while
 * that is in its grace period. The token columns hold SHA-256 hashes (CRY-02).
 */
export function findSessionByTokenHash(db: SqliteDatabase, tokenHash: string, now: string): SessionRow | undefined {
  return statement(db,
    `SELECT ${COLUMNS} FROM "session"
     WHERE "token" = @tokenHash OR ("previousToken" = @tokenHash AND "previousTokenExpiresAt" > @now)`,
  ).get({ tokenHash, now }) as SessionRow | undefined;
}

/**
 * better-auth writes the token of a session it creates as is; this replaces it with its
 * hash at once, so the table never holds a token that works.
 */
export function sealNewSession(db: SqliteDatabase, token: string, tokenHash: string): { id: string; userId: string } | undefined {
  return statement(db, 'UPDATE "session" SET "token" = ? WHERE "token" = ? RETURNING "id", "userId"').get(tokenHash, token) as
    | { id: string; userId: string }
    | undefined;
}

/**
 * Swaps in a new token only if the presented one is still current, so two requests that
 * race to rotate the same session cannot both succeed and fork it.
 */
export function rotateSessionToken(
  db: SqliteDatabase,
  change: { id: string; currentTokenHash: string; newTokenHash: string; now: string; graceUntil: string; expiresAt: string },
): boolean {
  return (
    statement(db,
      `UPDATE "session" SET "token" = @newTokenHash, "previousToken" = @currentTokenHash, "previousTokenExpiresAt" = @graceUntil,
         "tokenIssuedAt" = @now, "updatedAt" = @now, "expiresAt" = @expiresAt
       WHERE "id" = @id AND "token" = @currentTokenHash`,
    ).run(change).changes === 1
  );
}

export function touchSession(db: SqliteDatabase, id: string, now: string, expiresAt: string): void {
  statement(db, 'UPDATE "session" SET "updatedAt" = ?, "expiresAt" = ? WHERE "id" = ?').run(now, expiresAt, id);
}

export function listUserSessions(db: SqliteDatabase, userId: string, now: string): SessionRow[] {
  return statement(db, `SELECT ${COLUMNS} FROM "session" WHERE "userId" = ? AND "expiresAt" > ? ORDER BY "createdAt", "id"`).all(
    userId,
    now,
  ) as SessionRow[];
}

/** Deleting the row ends the session for its current and its previous token at once. */
export function deleteSession(db: SqliteDatabase, id: string, userId: string): boolean {
  return statement(db, 'DELETE FROM "session" WHERE "id" = ? AND "userId" = ?').run(id, userId).changes === 1;
}

export function deleteOtherSessions(db: SqliteDatabase, userId: string, keepId: string): number {
  return statement(db, 'DELETE FROM "session" WHERE "userId" = ? AND "id" != ?').run(userId, keepId).changes;
}

/** A password-only sign-in of an MFA account: the session waits, short-lived, for its second factor. */
export function markSessionPending(db: SqliteDatabase, id: string, until: string, firstFactor: string): void {
  statement(db, 'UPDATE "session" SET "mfaPendingUntil" = ?, "expiresAt" = ?, "mfaFirstFactor" = ? WHERE "id" = ?').run(until, until, firstFactor, id);
}

/** Counts one second-factor attempt; false once the pending sign-in has spent its allowance. */
export function countSecondFactorAttempt(db: SqliteDatabase, id: string, max: number): boolean {
  return (
    statement(db, 'UPDATE "session" SET "mfaAttempts" = "mfaAttempts" + 1 WHERE "id" = ? AND "mfaPendingUntil" IS NOT NULL AND "mfaAttempts" < ?').run(
      id,
      max,
    ).changes === 1
  );
}

/**
 * Completes a pending sign-in under a new token, so the token that was only half-trusted
 * never becomes a full session; only the request holding the current token can do it.
 */
export function completeSecondFactor(
  db: SqliteDatabase,
  change: { id: string; currentTokenHash: string; newTokenHash: string; now: string; expiresAt: string },
): boolean {
  return (
    statement(db,
      `UPDATE "session" SET "token" = @newTokenHash, "previousToken" = NULL, "previousTokenExpiresAt" = NULL, "tokenIssuedAt" = @now,
         "updatedAt" = @now, "expiresAt" = @expiresAt, "mfaPendingUntil" = NULL
       WHERE "id" = @id AND "token" = @currentTokenHash AND "mfaPendingUntil" IS NOT NULL`,
    ).run(change).changes === 1
  );
}
