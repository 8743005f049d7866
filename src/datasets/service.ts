import { createHash } from 'node:crypto';
import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import {
  KEY_TYPES,
  MAX_COLUMNS,
  type AddColumnsInput,
  type BatchInput,
  type BatchResult,
  type Column,
  type CreateDatasetInput,
  type Dataset,
  type DatasetSummary,
  type RejectedRow,
  type Row,
} from './schema.ts';
import {
  addDatasetColumns,
  countDatasets,
  countRows,
  createDatasetTable,
  dropDataset,
  findBatch,
  forgetBatchesBefore,
  findDataset,
  insertBatch,
  listDatasets,
  rowDeleter,
  rowsAfter,
  rowUpserter,
  type DatasetRow,
  type DatasetShape,
} from './store.ts';
import { CursorSeal } from './cursor.ts';
import { maskedRow, type RowView } from './masking.ts';
import { NAME_PATTERN } from './names.ts';
import { runDatasetQuery, type DatasetQuery, type QueryResult } from './query.ts';
import { shownRow, storedKey, storedRow, toStored, type StoredValue } from './values.ts';

/** Enough for any business's exports; a bound so one workspace cannot fill its database with empty tables. */
export const MAX_DATASETS = 500;
/**
 * How long a batch id is remembered. Agents retry within minutes or, after an outage, days;
 * a batch sent again after a week is applied again (upserts make that harmless for rows
 * that did not change since), and the table of remembered batches stays bounded.
 */
export const BATCH_RETENTION_MS = 7 * 86_400_000;

export interface DatasetServiceDeps {
  /** The workspace's writable handle: its encrypted database and its audit log. */
  workspace(workspaceId: string): { db: SqliteDatabase; audit: AuditLog };
  /** ACC-04: the workspace's read-only handle, for the AI query path. */
  readOnly(workspaceId: string): SqliteDatabase;
  now?: () => Date;
}

function summary(row: DatasetRow): DatasetSummary {
  return {
    name: row.name,
    // Columns stored before `sensitive` existed have no such field: they are not sensitive.
    columns: (JSON.parse(row.columns) as Column[]).map((column) => ({ ...column, sensitive: column.sensitive === true })),
    primaryKey: JSON.parse(row.primary_key) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A column as its audit event lists it; whether it is sensitive decides who reads its values, so the trail says so. */
function describeColumn(column: Column): string {
  return `${column.name}:${column.type}${column.sensitive === true ? ':sensitive' : ''}`;
}

/** The routes' schemas already allow-list names; services check again for callers that are not routes (CLI, MCP). */
function checkNames(names: readonly string[]): void {
  const bad = names.find((name) => !NAME_PATTERN.test(name));
  if (bad !== undefined) throw new AppError(400, 'invalid_name', 'names must start with a-z and hold only a-z, 0-9 and _ (at most 63 characters)');
}

function checkShape(columns: readonly Column[], primaryKey: readonly string[]): void {
  const names = columns.map((column) => column.name);
  checkNames(names);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new AppError(400, 'duplicate_column', `column ${duplicate} is declared twice`);
  if (new Set(primaryKey).size !== primaryKey.length) throw new AppError(400, 'invalid_primary_key', 'a primary key names each column once');
  for (const name of primaryKey) {
    const column = columns.find((candidate) => candidate.name === name);
    if (!column) throw new AppError(400, 'invalid_primary_key', `primary key column ${name} is not declared`);
    if (!KEY_TYPES.includes(column.type)) {
      throw new AppError(400, 'invalid_primary_key', `primary key columns must be ${KEY_TYPES.join(', ')}; ${name} is ${column.type}`);
    }
  }
}

/** The last key of a page from an opened cursor (see cursor.ts), checked against the dataset's key columns. */
function cursorKey(shape: DatasetShape, parsed: unknown): StoredValue[] {
  const invalid = new AppError(400, 'invalid_cursor', 'the cursor is not one this dataset issued');
  if (!Array.isArray(parsed) || parsed.length !== shape.primaryKey.length) throw invalid;
  return shape.primaryKey.map((name, index) => {
    const column = shape.columns.find((candidate) => candidate.name === name)!;
    const value = toStored(column.type, parsed[index]);
    if (value === null || typeof value === 'object') throw invalid;
    return value;
  });
}

/**
 * Datasets of a workspace (AGT-03, ACC-03): every call names the workspace whose handle it
 * uses, and the routes take that id only from the path the workspace gate checked.
 */
export class DatasetService {
  readonly #deps: DatasetServiceDeps;
  readonly #now: () => Date;
  readonly #cursors: CursorSeal;

  constructor(deps: DatasetServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#cursors = new CursorSeal();
  }

  /** Every dataset with its row count: the dashboard's list shows them, and one request beats one per dataset. */
  list(workspaceId: string): Dataset[] {
    const { db } = this.#deps.workspace(workspaceId);
    return listDatasets(db).map((row) => ({ ...summary(row), rowCount: countRows(db, row.name) }));
  }

  get(workspaceId: string, name: string): Dataset {
    const { db } = this.#deps.workspace(workspaceId);
    return { ...summary(this.#row(db, name)), rowCount: countRows(db, name) };
  }

  async create(workspaceId: string, input: CreateDatasetInput, meta: RequestMeta): Promise<Dataset> {
    checkNames([input.name]);
    checkShape(input.columns, input.primaryKey);
    const { db, audit } = this.#deps.workspace(workspaceId);
    const at = this.#now().toISOString();
    db.transaction(() => {
      if (findDataset(db, input.name)) throw new AppError(409, 'dataset_exists', 'a dataset with that name already exists');
      if (countDatasets(db) >= MAX_DATASETS) throw new AppError(409, 'too_many_datasets', `a workspace holds at most ${MAX_DATASETS} datasets`);
      createDatasetTable(db, input, at);
    }).immediate();
    await audit.record(
      auditEvent(meta, 'dataset.create', { type: 'dataset', id: input.name }, { columns: input.columns.map(describeColumn), primaryKey: input.primaryKey }),
    );
    return this.get(workspaceId, input.name);
  }

  async addColumns(workspaceId: string, name: string, input: AddColumnsInput, meta: RequestMeta): Promise<Dataset> {
    checkNames(input.columns.map((column) => column.name));
    const { db, audit } = this.#deps.workspace(workspaceId);
    db.transaction(() => {
      const current = summary(this.#row(db, name));
      const all = [...current.columns, ...input.columns];
      if (all.length > MAX_COLUMNS) throw new AppError(400, 'too_many_columns', `a dataset has at most ${MAX_COLUMNS} columns`);
      const names = all.map((column) => column.name);
      const duplicate = names.find((column, index) => names.indexOf(column) !== index);
      if (duplicate !== undefined) throw new AppError(409, 'column_exists', `column ${duplicate} already exists or is given twice`);
      addDatasetColumns(db, name, all, input.columns, this.#now().toISOString());
    }).immediate();
    await audit.record(auditEvent(meta, 'dataset.columns_add', { type: 'dataset', id: name }, { columns: input.columns.map(describeColumn) }));
    return this.get(workspaceId, name);
  }

  async delete(workspaceId: string, name: string, meta: RequestMeta): Promise<void> {
    const { db, audit } = this.#deps.workspace(workspaceId);
    const rowCount = db
      .transaction(() => {
        this.#row(db, name);
        const count = countRows(db, name);
        dropDataset(db, name);
        return count;
      })
      .immediate();
    await audit.record(auditEvent(meta, 'dataset.delete', { type: 'dataset', id: name }, { rowCount }));
  }

  /**
   * A page of rows as `view` may see them (LOG-05): whole with `reveal`, otherwise masked (see
   * masking.ts). Masked unless the caller says otherwise, so a new caller cannot leak by omission.
   */
  rows(workspaceId: string, name: string, page: { limit: number; cursor?: string | undefined }, view: RowView = { reveal: false }): { rows: Row[]; nextCursor: string | null } {
    const { db } = this.#deps.workspace(workspaceId);
    const shape = summary(this.#row(db, name));
    // Bound to this workspace and dataset: a cursor from elsewhere does not open here.
    const context = `${workspaceId}\n${name}`;
    const after = page.cursor === undefined ? undefined : cursorKey(shape, this.#cursors.open(context, page.cursor));
    // One row more than asked for says whether another page exists, so the last page has no cursor.
    const stored = rowsAfter(db, shape, after, page.limit + 1);
    const rows = stored.slice(0, page.limit);
    const last = stored.length > page.limit ? rows.at(-1) : undefined;
    return {
      rows: rows.map((row) => (view.reveal ? shownRow(shape.columns, row) : maskedRow(shape.columns, shownRow(shape.columns, row)))),
      nextCursor: last === undefined ? null : this.#cursors.seal(context, shape.primaryKey.map((key) => last[key] ?? null)),
    };
  }

  /**
   * AGT-03: applies one sync batch. Each row is checked against the schema on its own; valid
   * rows are applied and each invalid one is reported by operation, index and reason, so one
   * bad line in an export does not hold back the rest (the agent can log and skip it).
   * Upserts are applied in order, then deletes, all in one transaction together with the
   * batch's record: a batch id seen before answers with the stored result and changes
   * nothing; the same id with a different body is a conflict.
   */
  async applyBatch(workspaceId: string, name: string, batch: BatchInput, meta: RequestMeta): Promise<{ result: BatchResult; replayed: boolean }> {
    const { db, audit } = this.#deps.workspace(workspaceId);
    const fingerprint = createHash('sha256').update(JSON.stringify([name, batch.upserts, batch.deletes])).digest('hex');
    const outcome = db
      .transaction((): { result: BatchResult; replayed: boolean } => {
        const shape = summary(this.#row(db, name));
        const seen = findBatch(db, batch.batchId);
        if (seen) {
          if (seen.dataset !== name || seen.fingerprint !== fingerprint) {
            throw new AppError(409, 'batch_id_conflict', 'this batch id was already used for a different batch');
          }
          return { result: JSON.parse(seen.result) as BatchResult, replayed: true };
        }
        const keys = new Set(shape.primaryKey);
        const keyColumns = shape.primaryKey.map((key) => shape.columns.find((column) => column.name === key)!);
        const rejected: RejectedRow[] = [];
        const upsert = rowUpserter(db, shape);
        const remove = rowDeleter(db, shape);
        let upserted = 0;
        let deleted = 0;
        batch.upserts.forEach((row, index) => {
          const values = storedRow(shape.columns, keys, row);
          if (!Array.isArray(values)) return void rejected.push({ operation: 'upsert', index, ...values });
          upsert(values);
          upserted++;
        });
        batch.deletes.forEach((key, index) => {
          const values = storedKey(keyColumns, key);
          if (!Array.isArray(values)) return void rejected.push({ operation: 'delete', index, ...values });
          remove(values);
          deleted++;
        });
        const result: BatchResult = { batchId: batch.batchId, dataset: name, upserted, deleted, rejected };
        const now = this.#now();
        forgetBatchesBefore(db, new Date(now.getTime() - BATCH_RETENTION_MS).toISOString());
        insertBatch(db, batch.batchId, { dataset: name, fingerprint, result: JSON.stringify(result) }, now.toISOString());
        return { result, replayed: false };
      })
      .immediate();
    if (!outcome.replayed) {
      const { upserted, deleted, rejected } = outcome.result;
      await audit.record(
        auditEvent(meta, 'dataset.data_moved', { type: 'dataset', id: name }, { batchId: batch.batchId, rowsIn: upserted + deleted, upserted, deleted, rowsRejected: rejected.length }),
      );
    }
    return outcome;
  }

  /**
   * ACC-04: what an AI client reads, on the read-only handle: a write through this path
   * fails in SQLite itself. Rows come back masked (LOG-05): the AI query path never reveals.
   */
  readOnly(workspaceId: string): { list(): Dataset[]; describe(name: string): Dataset; query(query: DatasetQuery): QueryResult } {
    const db = this.#deps.readOnly(workspaceId);
    return {
      list: () => listDatasets(db).map((row) => ({ ...summary(row), rowCount: countRows(db, row.name) })),
      describe: (name) => ({ ...summary(this.#row(db, name)), rowCount: countRows(db, name) }),
      query: (query) => runDatasetQuery(db, summary(this.#row(db, query.dataset)).columns, query),
    };
  }

  #row(db: SqliteDatabase, name: string): DatasetRow {
    const row = findDataset(db, name);
    if (!row) throw new AppError(404, 'dataset_not_found', 'no dataset with that name in this workspace');
    return row;
  }
}
