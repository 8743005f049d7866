import type { Migration } from '../core/migrations.ts';

/**
 * IDN-03, IDN-06: an OIDC sign-in between leaving for the identity provider and coming
 * back. Kept server-side, keyed by the SHA-256 of its `state`, so the browser carries only
 * the state itself and a copy of the database holds no state that could be replayed.
 */
export const oidcPendingLoginTables: Migration = {
  name: 'oidc pending logins',
  sql: `
    CREATE TABLE oidc_pending_login (
      state_hash TEXT PRIMARY KEY,
      purpose TEXT NOT NULL,
      code_verifier TEXT NOT NULL,
      nonce TEXT NOT NULL,
      data TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX oidc_pending_login_expiry ON oidc_pending_login(expires_at);
  `,
};
