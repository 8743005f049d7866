import type { Migration } from '../core/migrations.ts';

/**
 * WEB-06: the signatures of solved proof-of-work challenges, each accepted once. A row
 * lives only as long as its challenge could still be presented; the expiry sweeper
 * removes it after that.
 */
export const proofOfWorkTables: Migration = {
  name: 'spent proof-of-work challenges',
  sql: `
    CREATE TABLE proof_of_work_spent (
      signature TEXT PRIMARY KEY,
      expires_at TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX proof_of_work_spent_expiry ON proof_of_work_spent(expires_at);
  `,
};
