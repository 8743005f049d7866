import type { Migration } from '../core/migrations.ts';

/**
 * LOG-07: how far each SIEM target has received each audit log (`control` or a workspace
 * id). A cursor moves only after the target accepted the events, so a restart resumes
 * where delivery stopped.
 */
export const siemCursorTable: Migration = {
  name: 'siem cursors',
  sql: `
    CREATE TABLE siem_cursor (
      target TEXT NOT NULL,
      log TEXT NOT NULL,
      last_seq INTEGER NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (target, log)
    ) STRICT;
  `,
};
