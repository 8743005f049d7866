import { statement, type SqliteDatabase } from '../core/database.ts';

/** Whether the account signs in with a password at all (better-auth's credential account). */
export function hasPassword(db: SqliteDatabase, userId: string): boolean {
  return statement(db, `SELECT 1 FROM "account" WHERE "userId" = ? AND "providerId" = 'credential' AND "password" IS NOT NULL`).get(userId) !== undefined;
}
