import type { Migration } from '../core/migrations.ts';

/**
 * IDN-07: passkeys (WebAuthn credentials) and the challenges of ceremonies in progress.
 * A credential keeps only what verifying it needs: its COSE public key (not a secret), the
 * signature counter that exposes a cloned authenticator, and what the person sees in the
 * list. Challenges live server-side, are spent by the first verify that presents them and
 * die after a few minutes. A registration challenge belongs to the session that asked for
 * it (and goes with it); an authentication challenge belongs to a ceremony id handed to
 * the browser, stored only as its SHA-256 (CRY-02).
 */
export const passkeyTables: Migration = {
  name: 'passkeys',
  sql: `
    CREATE TABLE passkey (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
      credential_id TEXT NOT NULL UNIQUE,
      public_key BLOB NOT NULL,
      counter INTEGER NOT NULL,
      transports TEXT NOT NULL,
      device_type TEXT NOT NULL,
      backed_up INTEGER NOT NULL,
      name TEXT NOT NULL,
      created_at TEXT NOT NULL,
      last_used_at TEXT
    ) STRICT;
    CREATE INDEX passkey_user ON passkey(user_id);
    CREATE TABLE passkey_registration_challenge (
      session_id TEXT PRIMARY KEY REFERENCES "session"(id) ON DELETE CASCADE,
      user_id TEXT NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
      challenge TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE passkey_authentication_challenge (
      ceremony_hash TEXT PRIMARY KEY,
      challenge TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX passkey_authentication_challenge_expiry ON passkey_authentication_challenge(expires_at);
  `,
};
