import type { Migration } from '../core/migrations.ts';
import { statement, type SqliteDatabase } from '../core/database.ts';

/** A password reset by mail puts mailed codes on hold until the authenticator is used again (see below). */
export const mailboxProofTable: Migration = {
  name: 'mfa email code hold after a password reset',
  sql: `
    CREATE TABLE mfa_email_code_hold (
      user_id TEXT PRIMARY KEY REFERENCES "user"(id) ON DELETE CASCADE,
      reason TEXT NOT NULL,
      since TEXT NOT NULL
    ) STRICT;
  `,
};

/**
 * A password set through a mailed reset link was proven by the mailbox alone, so until the
 * authenticator or a backup code is used again, a mailed code cannot be the second factor:
 * otherwise the mailbox would complete the whole sign-in on its own.
 */
export function holdEmailCodes(db: SqliteDatabase, userId: string, reason: string, at: string): void {
  statement(db, 'INSERT INTO mfa_email_code_hold (user_id, reason, since) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET reason = excluded.reason, since = excluded.since').run(userId, reason, at);
}

export function emailCodesHeld(db: SqliteDatabase, userId: string): boolean {
  return statement(db, 'SELECT 1 FROM mfa_email_code_hold WHERE user_id = ?').get(userId) !== undefined;
}

export function releaseEmailCodes(db: SqliteDatabase, userId: string): void {
  statement(db, 'DELETE FROM mfa_email_code_hold WHERE user_id = ?').run(userId);
}
