import type { Migration } from '../../core/migrations.ts';

/**
 * DAT-01: every export asked for over HTTP, so the hourly limit per person (or key) and per
 * workspace holds across both export routes and across restarts. Rows older than the
 * window are removed as new ones are counted.
 */
export const exportTables: Migration = {
  name: 'data export requests',
  sql: `
    CREATE TABLE export_request (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      requester TEXT NOT NULL,
      workspace_id TEXT,
      requested_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX export_request_requester ON export_request(requester, requested_at);
    CREATE INDEX export_request_workspace ON export_request(workspace_id, requested_at);
  `,
};
