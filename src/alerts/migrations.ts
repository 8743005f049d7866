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

/**
 * LOG-06: the networks each workspace bearer credential was seen from, for "token used from
 * a new network". Data minimisation (DAT-04): only the network prefix (/24 or /48) is kept,
 * never the address itself, and only the most recent few per credential. The workspace
 * column lets a workspace's rows be found (and removed) without knowing its credentials.
 */
export const credentialNetworkTable: Migration = {
  name: 'credential networks',
  sql: `
    CREATE TABLE credential_network (
      credential TEXT NOT NULL,
      workspace_id TEXT NOT NULL,
      network TEXT NOT NULL,
      first_seen_at TEXT NOT NULL,
      last_seen_at TEXT NOT NULL,
      PRIMARY KEY (credential, network)
    ) STRICT, WITHOUT ROWID;
  `,
};
