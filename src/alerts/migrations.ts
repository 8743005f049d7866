import type { Migration } from '../core/migrations.ts';

/** LOG-06: alerts raised by the detection rules, for the dashboard; delivery by mail and webhook is not stored. */
export const alertTables: Migration = {
  name: 'security alerts',
  sql: `
    CREATE TABLE alert (
      id TEXT PRIMARY KEY,
      rule TEXT NOT NULL,
      workspace_id TEXT,
      subject TEXT NOT NULL,
      details TEXT NOT NULL,
      raised_at TEXT NOT NULL,
      acknowledged_at TEXT,
      acknowledged_by TEXT
    ) STRICT;
    CREATE INDEX alert_workspace ON alert(workspace_id, raised_at);
  `,
};
