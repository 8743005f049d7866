import { auditTables } from '../audit/migrations.ts';
import type { Migration } from '../core/migrations.ts';
import { datasetTables } from '../datasets/migrations.ts';
import { workflowTables } from '../workflows/migrations.ts';

/** Each workspace database's schema history. Append only: released steps never change. */
export const workspaceMigrations: readonly Migration[] = [
  auditTables,
  {
    name: 'workspace profile',
    sql: `
      CREATE TABLE workspace_profile (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        display_name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    // VLT-01: third-party secrets under envelope encryption. wrapped_key and ciphertext are
    // AES-256-GCM (iv, tag, body); the scopes are part of the secret's associated data.
    name: 'credential vault',
    sql: `
      CREATE TABLE vault_credential (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        preset TEXT,
        hint TEXT NOT NULL,
        scopes TEXT NOT NULL,
        key_version INTEGER NOT NULL,
        wrapped_key BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        disabled_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  datasetTables,
  workflowTables,
];
