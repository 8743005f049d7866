import type { Migration } from '../core/migrations.ts';

/**
 * IDN-06: SCIM provisioning, in the control database beside users and memberships.
 * - `scim_token`: a workspace's directory credentials, kept only as SHA-256 (CRY-02).
 * - `scim_user`: the workspace's provisioning record of a person (the SCIM resource),
 *   with whether the workspace's directory created (and so manages) the account. A
 *   managed account's deleted record stays as a tombstone so that provisioning the same
 *   person again finds the account it manages.
 * - `account_disabled`: accounts that may not sign in (read by src/identity/service.ts);
 *   an identity table, created here because SCIM is the first thing that disables one.
 */
export const scimTables: Migration = {
  name: 'scim provisioning and disabled accounts',
  sql: `
    CREATE TABLE scim_token (
      id TEXT PRIMARY KEY,
      workspace_id TEXT NOT NULL REFERENCES workspace(id),
      name TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      hint TEXT NOT NULL,
      created_at TEXT NOT NULL,
      last_used_at TEXT,
      revoked_at TEXT
    ) STRICT;
    CREATE INDEX scim_token_workspace ON scim_token(workspace_id);
    CREATE TABLE scim_user (
      workspace_id TEXT NOT NULL REFERENCES workspace(id),
      user_id TEXT NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
      user_name TEXT NOT NULL,
      external_id TEXT,
      given_name TEXT,
      family_name TEXT,
      formatted_name TEXT,
      display_name TEXT,
      role TEXT NOT NULL,
      active INTEGER NOT NULL,
      managed INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      deleted_at TEXT,
      PRIMARY KEY (workspace_id, user_id)
    ) STRICT;
    CREATE INDEX scim_user_name ON scim_user(workspace_id, user_name);
    CREATE TABLE account_disabled (
      user_id TEXT PRIMARY KEY REFERENCES "user"(id) ON DELETE CASCADE,
      reason TEXT NOT NULL,
      disabled_at TEXT NOT NULL
    ) STRICT;
  `,
};
