import type { Migration } from '../../core/migrations.ts';

/**
 * DAT-03: closed accounts. The "user" row stays (the audit trail and tombstones refer to
 * its id) but holds no name, address or credential any more; what is kept of the sign-in
 * identity is this keyed digest of the address, the same one the control log uses for
 * sign-in attempts (`email_digest` targets), so an operator can tell that an address
 * belonged to a closed account without the address being stored.
 */
export const closedAccountTable: Migration = {
  name: 'closed accounts',
  sql: `
    CREATE TABLE closed_account (
      user_id TEXT PRIMARY KEY REFERENCES "user"(id) ON DELETE CASCADE,
      email_digest TEXT NOT NULL,
      closed_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX closed_account_email_digest ON closed_account(email_digest);
  `,
};
