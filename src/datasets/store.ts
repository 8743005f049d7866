import { statement, type SqliteDatabase } from '../core/database.ts';
import { datasetTable, quoteName } from './names.ts';
import type { Column, ColumnType } from './schema.ts';
import type { StoredValue } from './values.ts';

export interface DatasetRow {
  name: string;
  columns: string;
  primary_key: string;
  created_at: string;
  updated_at: string;
}

export interface DatasetShape {
  name: string;
  columns: Column[];
  primaryKey: string[];
}

/** STRICT column types; booleans are integers held to 0 and 1 by a CHECK, so SQLite refuses anything else too. */
function columnSql(column: Column, key: boolean): string {
  const types: Record<ColumnType, string> = { text: 'TEXT', integer: 'INTEGER', real: 'REAL', boolean: 'INTEGER', timestamp: 'TEXT' };
  const name = quoteName(column.name);
  const check = column.type === 'boolean' ? ` CHECK (${name} IN (0, 1))` : '';
  return `${name} ${types[column.type]}${key || !column.nullable ? ' NOT NULL' : ''}${check}`;
}

export function findDataset(db: SqliteDatabase, name: string): DatasetRow | undefined {
  return statement(db, 'SELECT * FROM dataset WHERE name = ?').get(name) as DatasetRow | undefined;
}

export function listDatasets(db: SqliteDatabase): DatasetRow[] {
  return statement(db, 'SELECT * FROM dataset ORDER BY name').all() as DatasetRow[];
}

export function countDatasets(db: SqliteDatabase): number {
  return (statement(db, 'SELECT count(*) AS n FROM dataset').get() as { n: number }).n;
}

/** Catalogue row and table together; the caller holds the transaction. */
export function createDatasetTable(db: SqliteDatabase, shape: DatasetShape, at: string): void {
  statement(db, 'INSERT INTO dataset (name, columns, primary_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
    shape.name,
    JSON.stringify(shape.columns),
    JSON.stringify(shape.primaryKey),
    at,
    at,
  );
  const keys = new Set(shape.primaryKey);
  const definitions = shape.columns.map((column) => columnSql(column, keys.has(column.name)));
  // WITHOUT ROWID: the table is its primary-key b-tree, so an upsert writes one b-tree, not a table and an index.
  db.exec(`CREATE TABLE ${datasetTable(shape.name)} (${definitions.join(', ')}, PRIMARY KEY (${shape.primaryKey.map(quoteName).join(', ')})) STRICT, WITHOUT ROWID`);
}

export function addDatasetColumns(db: SqliteDatabase, name: string, all: readonly Column[], added: readonly Column[], at: string): void {
  for (const column of added) db.exec(`ALTER TABLE ${datasetTable(name)} ADD COLUMN ${columnSql(column, false)}`);
  statement(db, 'UPDATE dataset SET columns = ?, updated_at = ? WHERE name = ?').run(JSON.stringify(all), at, name);
}

export function dropDataset(db: SqliteDatabase, name: string): void {
  db.exec(`DROP TABLE IF EXISTS ${datasetTable(name)}`);
  statement(db, 'DELETE FROM dataset_batch WHERE dataset = ?').run(name);
  statement(db, 'DELETE FROM dataset WHERE name = ?').run(name);
}

export function countRows(db: SqliteDatabase, name: string): number {
  return (statement(db, `SELECT count(*) AS n FROM ${datasetTable(name)}`).get() as { n: number }).n;
}

export type RowWriter = (values: StoredValue[]) => void;

/**
 * The upsert for a dataset's current shape, fetched once per batch and run per row: the SQL
 * text names the columns, so a schema change prepares a new statement.
 */
export function rowUpserter(db: SqliteDatabase, shape: DatasetShape): RowWriter {
  const names = shape.columns.map((column) => quoteName(column.name));
  const keys = new Set(shape.primaryKey);
  const updates = shape.columns.filter((column) => !keys.has(column.name)).map((column) => `${quoteName(column.name)} = excluded.${quoteName(column.name)}`);
  const conflict = updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`;
  const sql = `INSERT INTO ${datasetTable(shape.name)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})
    ON CONFLICT (${shape.primaryKey.map(quoteName).join(', ')}) ${conflict}`;
  const prepared = statement(db, sql);
  return (values) => void prepared.run(...values);
}

export function rowDeleter(db: SqliteDatabase, shape: DatasetShape): RowWriter {
  const where = shape.primaryKey.map((name) => `${quoteName(name)} = ?`).join(' AND ');
  const prepared = statement(db, `DELETE FROM ${datasetTable(shape.name)} WHERE ${where}`);
  return (key) => void prepared.run(...key);
}

/** Rows in key order after `after` (a key, or undefined for the first page). */
export function rowsAfter(db: SqliteDatabase, shape: DatasetShape, after: StoredValue[] | undefined, limit: number): Record<string, StoredValue>[] {
  const columns = shape.columns.map((column) => quoteName(column.name)).join(', ');
  const key = shape.primaryKey.map(quoteName).join(', ');
  const where = after === undefined ? '' : `WHERE (${key}) > (${after.map(() => '?').join(', ')})`;
  const sql = `SELECT ${columns} FROM ${datasetTable(shape.name)} ${where} ORDER BY ${key} LIMIT ?`;
  return statement(db, sql).all(...(after ?? []), limit) as Record<string, StoredValue>[];
}

export interface BatchRecord {
  dataset: string;
  fingerprint: string;
  result: string;
}

export function findBatch(db: SqliteDatabase, batchId: string): BatchRecord | undefined {
  return statement(db, 'SELECT dataset, fingerprint, result FROM dataset_batch WHERE batch_id = ?').get(batchId) as BatchRecord | undefined;
}

/** Forgets batches recorded before `before`: a batch id is remembered for the retention window, not forever. */
export function forgetBatchesBefore(db: SqliteDatabase, before: string): void {
  statement(db, 'DELETE FROM dataset_batch WHERE created_at < ?').run(before);
}

export function insertBatch(db: SqliteDatabase, batchId: string, record: BatchRecord, at: string): void {
  statement(db, 'INSERT INTO dataset_batch (batch_id, dataset, fingerprint, result, created_at) VALUES (?, ?, ?, ?, ?)').run(
    batchId,
    record.dataset,
    record.fingerprint,
    record.result,
    at,
  );
}
