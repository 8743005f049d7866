import type { SqliteDatabase } from '../../core/database.ts';
import type { Column } from '../../datasets/schema.ts';
import { listDatasets } from '../../datasets/store.ts';

/** A dataset table as the query guard sees it: its name and its sensitive columns. */
export interface DatasetTable {
  dataset: string;
  table: string;
  sensitive: Set<string>;
  /** A sensitive column in the key: a seek by key then compares sensitive values. */
  sensitiveKey: boolean;
}

/** A b-tree of the main database: the table or index it stores, by root page. */
export interface BtreeOwner {
  table: string;
  index: string | undefined;
}

export interface Catalogue {
  /** Dataset tables by their SQL name (`ds_<name>`). */
  tables: Map<string, DatasetTable>;
  /** Every b-tree of the main database by root page, including Enclave's own tables. */
  roots: Map<number, BtreeOwner>;
}

/**
 * Column order of a cursor's b-tree. A WITHOUT ROWID table (every dataset table) is stored as
 * its primary-key index, key columns first, and OP_Column numbers columns in that order; an
 * index cursor numbers its own columns; a rowid table numbers the declared columns.
 */
function storageOrder(db: SqliteDatabase, table: string, index: string | undefined): string[] {
  let btreeIndex = index;
  if (btreeIndex === undefined) {
    const listed = db.prepare('SELECT wr FROM pragma_table_list WHERE schema = ? AND name = ?').get('main', table) as { wr: number } | undefined;
    if (listed?.wr === 1) {
      const pk = db.prepare("SELECT name FROM pragma_index_list(?) WHERE origin = 'pk'").get(table) as { name: string } | undefined;
      btreeIndex = pk?.name;
    }
  }
  if (btreeIndex === undefined) return (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string }[]).map((row) => row.name);
  return (db.prepare('SELECT name FROM pragma_index_xinfo(?) ORDER BY seqno').all(btreeIndex) as { name: string | null }[]).map((row) => row.name ?? '');
}

/**
 * What the workspace database holds, read with Enclave's own fixed SQL (never the client's):
 * the dataset catalogue, and the owner of every root page so the guard can name the b-tree
 * each OP_OpenRead of a client's statement opens. A workspace without the catalogue (never
 * migrated) has no dataset tables, so every read is refused.
 */
export function readCatalogue(db: SqliteDatabase): Catalogue {
  const roots = new Map<number, BtreeOwner>();
  const schema = db.prepare("SELECT type, name, tbl_name, rootpage FROM sqlite_schema WHERE type IN ('table', 'index') AND rootpage > 0").all() as {
    type: string;
    name: string;
    tbl_name: string;
    rootpage: number;
  }[];
  for (const entry of schema) roots.set(entry.rootpage, { table: entry.tbl_name, index: entry.type === 'index' ? entry.name : undefined });

  const tables = new Map<string, DatasetTable>();
  if (!schema.some((entry) => entry.type === 'table' && entry.name === 'dataset')) return { tables, roots };
  // The datasets store's own read of its catalogue, so its format is known in one place.
  for (const row of listDatasets(db)) {
    const columns = JSON.parse(row.columns) as Column[];
    const key = JSON.parse(row.primary_key) as string[];
    const sensitive = new Set(columns.filter((column) => column.sensitive === true).map((column) => column.name));
    const table = `ds_${row.name}`;
    tables.set(table, { dataset: row.name, table, sensitive, sensitiveKey: key.some((name) => sensitive.has(name)) });
  }
  return { tables, roots };
}

/** The column order of a cursor's b-tree, computed once per b-tree the statement opens. */
export function cursorColumns(db: SqliteDatabase, owner: BtreeOwner): string[] {
  return storageOrder(db, owner.table, owner.index);
}
