import type { Migration } from '../core/migrations.ts';

/**
 * Datasets, in the workspace's own encrypted database. Each dataset is one physical table
 * `ds_<name>` (STRICT, WITHOUT ROWID, clustered on its primary key), not a generic
 * rows-as-JSON table: an upsert touches exactly one b-tree, SQLite itself enforces the
 * declared types and key, and the read-only query path can later run plain SQL over real
 * columns. The price is identifiers in SQL, which are allow-listed before they get there
 * (src/datasets/names.ts) and quoted anyway. This table is the catalogue of those tables;
 * `dataset_batch` remembers every sync batch by id, so a retried batch changes nothing (AGT-03).
 */
export const datasetTables: Migration = {
  name: 'datasets',
  sql: `
    CREATE TABLE dataset (
      name TEXT PRIMARY KEY,
      columns TEXT NOT NULL,
      primary_key TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE dataset_batch (
      batch_id TEXT PRIMARY KEY,
      dataset TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      result TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX dataset_batch_dataset ON dataset_batch(dataset);
    CREATE INDEX dataset_batch_created ON dataset_batch(created_at);
  `,
};
