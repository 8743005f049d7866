import type { Migration } from '../core/migrations.ts';

/**
 * IDN-04: one-time codes mailed as a second factor. A code belongs to one pending sign-in
 * (it goes when the session goes) and is kept only as a keyed digest; the session records
 * how its first factor was proven, because a mailed code must not complete a sign-in that
 * began with a mailed link (that would be the mailbox twice, one factor).
 */
export const mfaEmailCodeTables: Migration = {
  name: 'mfa email codes',
  sql: `
    CREATE TABLE mfa_email_code (
      session_id TEXT PRIMARY KEY REFERENCES "session"(id) ON DELETE CASCADE,
      user_id TEXT NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
      code_digest TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      failures INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL
    ) STRICT;
    ALTER TABLE "session" ADD COLUMN "mfaFirstFactor" text;
  `,
};
