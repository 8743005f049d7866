import { statement, type SqliteDatabase } from '../core/database.ts';

/** Accounts that may not sign in (IDN-06), and the rows that let a person act, by account. */

export function isAccountDisabled(db: SqliteDatabase, userId: string): boolean {
  return statement(db, 'SELECT 1 FROM account_disabled WHERE user_id = ?').get(userId) !== undefined;
}

/** False when the account was disabled already. */
export function markAccountDisabled(db: SqliteDatabase, userId: string, reason: string, at: string): boolean {
  return statement(db, 'INSERT INTO account_disabled (user_id, reason, disabled_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(userId, reason, at).changes === 1;
}

/** False when the account was not disabled. */
export function clearAccountDisabled(db: SqliteDatabase, userId: string): boolean {
  return statement(db, 'DELETE FROM account_disabled WHERE user_id = ?').run(userId).changes === 1;
}

export function renameUser(db: SqliteDatabase, userId: string, name: string, at: string): void {
  statement(db, 'UPDATE "user" SET "name" = ?, "updatedAt" = ? WHERE "id" = ?').run(name, at, userId);
}

/** Every session of the account, pending second-factor sign-ins included (their mailed codes go with them by cascade). */
export function deleteAllSessions(db: SqliteDatabase, userId: string): number {
  return statement(db, 'DELETE FROM "session" WHERE "userId" = ?').run(userId).changes;
}

/**
 * Every single-use link issued for the account: magic links and email verification
 * (src/identity/verification-store.ts) and better-auth's password-reset rows all keep
 * the account id as the row's value.
 */
export function deleteAccountLinks(db: SqliteDatabase, userId: string): number {
  return statement(db, 'DELETE FROM "verification" WHERE "value" = ?').run(userId).changes;
}
