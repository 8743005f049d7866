import { auditMigrations } from '../audit/migrations.ts';
import type { Migration } from '../core/migrations.ts';

/** The control database's schema history. Append only: released steps never change. */
export const controlMigrations: readonly Migration[] = [
  ...auditMigrations,
  {
    name: 'workspaces and api keys',
    sql: `
      CREATE TABLE workspace (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        seed_wrapped BLOB NOT NULL,
        created_at TEXT NOT NULL,
        deleted_at TEXT
      ) STRICT;
      CREATE TABLE api_key (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspace(id),
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        hint TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        last_used_at TEXT,
        revoked_at TEXT
      ) STRICT;
      CREATE INDEX api_key_workspace ON api_key(workspace_id);
    `,
  },
];
