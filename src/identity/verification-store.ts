import { randomUUID } from 'node:crypto';
import { statement, type SqliteDatabase } from '../core/database.ts';
import { hashToken, newSecret } from '../core/tokens.ts';

/** What a mailed link is for; a token issued for one purpose never works for another. */
export type LinkPurpose = 'magic-link' | 'email-verification' | 'password-reset';

/**
 * Mailed links carry 256 random bits; better-auth's verification table keeps only their
 * SHA-256 inside the identifier, so a copy of the database holds no link that works
 * (CRY-02). The value is the account the link is for.
 */
function identifier(purpose: LinkPurpose, token: string): string {
  return `enclave:${purpose}:${hashToken(token)}`;
}

export function issueLinkToken(db: SqliteDatabase, purpose: LinkPurpose, userId: string, ttlSeconds: number, now: Date): string {
  const token = newSecret().secret;
  const at = now.toISOString();
  // Expired links of this purpose are swept whenever a new one is issued, so the table stays small.
  statement(db, 'DELETE FROM "verification" WHERE "identifier" LIKE ? AND "expiresAt" <= ?').run(`enclave:${purpose}:%`, at);
  statement(db, 'INSERT INTO "verification" ("id", "identifier", "value", "expiresAt", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)').run(
    randomUUID(),
    identifier(purpose, token),
    userId,
    new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
    at,
    at,
  );
  return token;
}

/**
 * The account a link is for, or undefined. The row is deleted in the same statement that
 * reads it, so of two requests racing with one link only one gets the account; an
 * expired link is deleted too and fails.
 */
export function consumeLinkToken(db: SqliteDatabase, purpose: LinkPurpose, token: string, now: Date): string | undefined {
  const row = statement(db, 'DELETE FROM "verification" WHERE "identifier" = ? RETURNING "value", "expiresAt"').get(identifier(purpose, token)) as
    | { value: string; expiresAt: string }
    | undefined;
  return row && Date.parse(row.expiresAt) > now.getTime() ? row.value : undefined;
}

export function markEmailVerified(db: SqliteDatabase, userId: string, now: Date): boolean {
  return statement(db, 'UPDATE "user" SET "emailVerified" = 1, "updatedAt" = ? WHERE "id" = ?').run(now.toISOString(), userId).changes === 1;
}
