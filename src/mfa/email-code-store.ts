import { statement, type SqliteDatabase } from '../core/database.ts';

export interface NewEmailCode {
  sessionId: string;
  userId: string;
  digest: string;
  expiresAt: string;
  createdAt: string;
}

/** A pending sign-in holds at most one code: asking again replaces it, so an older mail stops working. */
export function saveEmailCode(db: SqliteDatabase, code: NewEmailCode): void {
  statement(db,
    `INSERT INTO mfa_email_code (session_id, user_id, code_digest, expires_at, created_at) VALUES (@sessionId, @userId, @digest, @expiresAt, @createdAt)
     ON CONFLICT (session_id) DO UPDATE SET code_digest = excluded.code_digest, expires_at = excluded.expires_at, failures = 0, created_at = excluded.created_at`,
  ).run(code);
}

/**
 * Spends the sign-in's code if `digest` is it, unexpired and not worn out by wrong guesses;
 * deleting it in the same statement means two requests racing with one code cannot both pass.
 */
export function consumeEmailCode(db: SqliteDatabase, sessionId: string, digest: string, now: string, maxFailures: number): boolean {
  return (
    statement(db, 'DELETE FROM mfa_email_code WHERE session_id = ? AND code_digest = ? AND expires_at > ? AND failures < ?').run(
      sessionId,
      digest,
      now,
      maxFailures,
    ).changes === 1
  );
}

/** A wrong guess at the sign-in's code; once it has taken `maxFailures` the code is gone and a new one must be asked for. */
export function countEmailCodeFailure(db: SqliteDatabase, sessionId: string, maxFailures: number): void {
  statement(db, 'UPDATE mfa_email_code SET failures = failures + 1 WHERE session_id = ?').run(sessionId);
  statement(db, 'DELETE FROM mfa_email_code WHERE session_id = ? AND failures >= ?').run(sessionId, maxFailures);
}

/** Codes nobody used: swept whenever a new one is issued, so the table stays small. */
export function deleteExpiredEmailCodes(db: SqliteDatabase, now: string): void {
  statement(db, 'DELETE FROM mfa_email_code WHERE expires_at <= ?').run(now);
}
