import { auditTables } from '../audit/migrations.ts';
import type { Migration } from '../core/migrations.ts';

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
];
