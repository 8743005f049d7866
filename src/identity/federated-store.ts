import { randomBytes } from 'node:crypto';
import { statement, type SqliteDatabase } from '../core/database.ts';

/**
 * Federated accounts live in better-auth's `account` table, as its social sign-in would
 * keep them: `providerId` names the provider, `accountId` its subject. They are written
 * here in plain SQL so a check and its write happen in one synchronous transaction: two
 * first sign-ins racing for one subject cannot both create an account.
 */

/** Ids in better-auth's shape: 32 URL-safe random characters. */
function newAuthId(): string {
  return randomBytes(24).toString('base64url');
}

export function findLinkedUser(db: SqliteDatabase, provider: string, subject: string): string | undefined {
  const row = statement(db, 'SELECT "userId" FROM "account" WHERE "providerId" = ? AND "accountId" = ?').get(provider, subject) as
    | { userId: string }
    | undefined;
  return row?.userId;
}

/** Whether the account already has a subject of this provider linked. */
export function hasLinkFrom(db: SqliteDatabase, userId: string, provider: string): boolean {
  return statement(db, 'SELECT 1 FROM "account" WHERE "userId" = ? AND "providerId" = ?').get(userId, provider) !== undefined;
}

/** Links the subject to the account unless it is linked already; says whether it linked. */
export function linkSubject(db: SqliteDatabase, userId: string, provider: string, subject: string, now: Date): boolean {
  if (findLinkedUser(db, provider, subject)) return false;
  const at = now.toISOString();
  statement(db, 'INSERT INTO "account" ("id", "accountId", "providerId", "userId", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)').run(
    newAuthId(),
    subject,
    provider,
    userId,
    at,
    at,
  );
  return true;
}

export function createVerifiedUserRow(db: SqliteDatabase, email: string, name: string, now: Date): string {
  const id = newAuthId();
  const at = now.toISOString();
  statement(db, 'INSERT INTO "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") VALUES (?, ?, ?, 1, ?, ?)').run(id, name, email, at, at);
  return id;
}

/**
 * Marks an address proven and drops a password nobody proved the right to: whoever set
 * it never confirmed the address, so it may be someone waiting for its owner to arrive
 * (pre-account takeover). Says whether a password went.
 */
export function claimUnverifiedUser(db: SqliteDatabase, userId: string, now: Date): boolean {
  statement(db, 'UPDATE "user" SET "emailVerified" = 1, "updatedAt" = ? WHERE "id" = ?').run(now.toISOString(), userId);
  return statement(db, 'DELETE FROM "account" WHERE "userId" = ? AND "providerId" = \'credential\'').run(userId).changes > 0;
}

/** DAT-01: the sign-in methods linked to an account, for its owner's export: provider and subject, never a password hash or token. */
export function listLinks(db: SqliteDatabase, userId: string): { provider: string; subject: string; createdAt: string }[] {
  return statement(db, 'SELECT "providerId" AS provider, "accountId" AS subject, "createdAt" AS createdAt FROM "account" WHERE "userId" = ? ORDER BY "createdAt"').all(
    userId,
  ) as { provider: string; subject: string; createdAt: string }[];
}
