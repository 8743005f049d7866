import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Column, type Dataset, MAX_BATCH_ROWS, type BatchResult } from '../datasets/schema.ts';
import { AgentRevokedError, type AgentSession, ApiError } from './client.ts';
import type { AgentEvent } from './events.ts';
import { isDataFile, type LoadedFile, loadFile, SIDECAR_SUFFIX, SourceError } from './source.ts';
import { type SyncState, writeSyncState } from './state.ts';
import { type Cell, toCell } from './values.ts';

/** The server takes 1 MiB per batch; rows fill at most this much, leaving room for the envelope. */
const MAX_BATCH_BYTES = 1_000_000;

export interface SyncContext {
  session: AgentSession;
  watchDir: string;
  stateDir: string;
  state: SyncState;
  emit: (event: AgentEvent) => void;
  /** Aborted by SIGINT/SIGTERM: the current batch finishes, no new one starts. */
  signal: AbortSignal;
}

export interface PassResult {
  files: number;
  failed: number;
  stopped: boolean;
}

/** Size and mtime of the file and its sidecar, to skip unchanged finished files without reading them. */
function stampOf(path: string): string {
  const stat = (file: string) => {
    try {
      const { size, mtimeMs } = statSync(file);
      return `${size}:${mtimeMs}`;
    } catch {
      return '-';
    }
  };
  return `${stat(path)}|${stat(`${path}${SIDECAR_SUFFIX}`)}`;
}

/**
 * One pass over the watched folder (top level only, in name order). Each data file goes to
 * its dataset; a file that cannot be read or named is reported and skipped, one the server
 * refuses is reported and the pass goes on; only a revoked agent ends the pass early.
 */
export async function syncFolder(context: SyncContext): Promise<PassResult> {
  const result: PassResult = { files: 0, failed: 0, stopped: false };
  const names = readdirSync(context.watchDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && isDataFile(entry.name))
    .map((entry) => entry.name)
    .sort();
  // Progress for files that are gone would only make a file of the same name, put back later, look half-sent.
  const gone = Object.keys(context.state.files).filter((fileName) => !names.includes(fileName));
  if (gone.length > 0) {
    for (const fileName of gone) delete context.state.files[fileName];
    writeSyncState(context.stateDir, context.state);
  }
  const claimed = new Map<string, string>();
  for (const fileName of names) {
    if (context.signal.aborted) return { ...result, stopped: true };
    result.files++;
    try {
      const outcome = await syncFile(context, fileName, claimed);
      if (outcome === 'stopped') return { ...result, stopped: true };
    } catch (error) {
      if (error instanceof AgentRevokedError) throw error;
      result.failed++;
      if (error instanceof SourceError) context.emit({ event: 'file_skipped', file: fileName, reason: error.message });
      else if (error instanceof ApiError) context.emit({ event: 'file_failed', file: fileName, code: error.code, reason: error.message });
      else context.emit({ event: 'file_failed', file: fileName, code: 'local_error', reason: (error as Error).message });
    }
  }
  return result;
}

async function syncFile(context: SyncContext, fileName: string, claimed: Map<string, string>): Promise<'done' | 'unchanged' | 'stopped'> {
  const path = join(context.watchDir, fileName);
  const stamp = stampOf(path);
  const known = context.state.files[fileName];
  if (known && known.stamp === stamp && known.acknowledgedBatches >= known.totalBatches) return 'unchanged';

  const file = loadFile(path);
  // A file still being written: leave it for the next pass rather than send half of it.
  if (stampOf(path) !== stamp) throw new SourceError('it changed while being read; it is tried again on the next pass');
  const owner = claimed.get(file.plan.dataset);
  if (owner !== undefined) throw new SourceError(`${owner} already syncs into dataset ${file.plan.dataset}: rename one of them`);
  claimed.set(file.plan.dataset, fileName);

  const dataset = await ensureDataset(context.session, file);
  const { rows, lines, schemaKey } = buildRows(file, dataset);
  const batches = splitBatches(rows);
  const fingerprint = createHash('sha256').update(`${fileName}\0${file.fingerprint}\0${schemaKey}`).digest('hex');
  const continuing = known !== undefined && known.fingerprint === fingerprint;
  const resume = continuing ? Math.min(known.acknowledgedBatches, batches.length) : 0;
  const syncId = continuing ? known.syncId : randomBytes(16).toString('hex');
  let rejected = continuing ? known.rejected : 0;
  const totalRows = rows.length;
  let rowsSent = batches.slice(0, resume).reduce((sum, batch) => sum + batch.count, 0);
  const save = (acknowledged: number) => {
    context.state.files[fileName] = {
      stamp,
      fingerprint,
      syncId,
      dataset: dataset.name,
      totalBatches: batches.length,
      acknowledgedBatches: acknowledged,
      rows: totalRows,
      rejected,
      updatedAt: new Date().toISOString(),
    };
    writeSyncState(context.stateDir, context.state);
  };

  for (const problem of file.table.problems) context.emit({ event: 'row_rejected', file: fileName, dataset: dataset.name, line: problem.line, code: 'unreadable_row', message: problem.message });
  context.emit({ event: 'file_start', file: fileName, dataset: dataset.name, rows: totalRows, batches: batches.length, resumeAtBatch: resume, rowsSent });
  // Saved before the first batch, so the sync id survives a crash during it.
  save(resume);

  for (let index = resume; index < batches.length; index++) {
    if (context.signal.aborted) return 'stopped';
    const batch = batches[index]!;
    // Derived from the file's content, its schema, the saved sync id and the position, never
    // from the clock: a batch sent again after a crash carries the same id, and the server
    // answers it from its first result instead of applying it twice.
    const batchId = `${dataset.name}:${createHash('sha256').update(`${fingerprint}\0${syncId}`).digest('hex').slice(0, 32)}:${index}`;
    const answer = await context.session.json<BatchResult>('POST', `/datasets/${dataset.name}/batches`, { batchId, upserts: rows.slice(batch.start, batch.start + batch.count), deletes: [] });
    for (const row of answer.rejected) {
      context.emit({ event: 'row_rejected', file: fileName, dataset: dataset.name, line: lines[batch.start + row.index] ?? 0, code: row.code, message: row.message, ...(row.column ? { column: row.column } : {}) });
    }
    rejected += answer.rejected.length;
    rowsSent += batch.count;
    save(index + 1);
    context.emit({ event: 'batch', file: fileName, dataset: dataset.name, batch: index, batchId, rowsSent, rows: totalRows, upserted: answer.upserted, rejected: answer.rejected.length });
  }
  context.emit({ event: 'file_done', file: fileName, dataset: dataset.name, rows: totalRows, rowsSent, rejected: rejected + file.table.problems.length });
  return 'done';
}

/**
 * The dataset the file goes to: created from the plan, or — when it exists (a restart, or
 * another file defined it) — the server's definition, with the file's extra columns added.
 * The server's column types then decide how values are sent.
 */
async function ensureDataset(session: AgentSession, file: LoadedFile): Promise<Dataset> {
  const { dataset, columns, primaryKey } = file.plan;
  const created = await session.call('POST', '/datasets', { name: dataset, columns, primaryKey });
  if (created.status === 201) return (await created.json()) as Dataset;
  const refusal = (await created.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  if (created.status !== 409 || refusal?.error?.code !== 'dataset_exists') {
    throw new ApiError(created.status, refusal?.error?.code ?? `http_${created.status}`, refusal?.error?.message ?? 'the dataset could not be created');
  }
  const existing = await session.json<Dataset>('GET', `/datasets/${dataset}`);
  const missing = columns.filter((column) => !existing.columns.some((known) => known.name === column.name));
  if (missing.length === 0) return existing;
  try {
    return await session.json<Dataset>('POST', `/datasets/${dataset}/columns`, { columns: missing.map((column) => ({ ...column, nullable: true })) });
  } catch (error) {
    // Added meanwhile (by a retry whose answer was lost, or another agent): the definition as it now is.
    if (error instanceof ApiError && error.code === 'column_exists') return session.json<Dataset>('GET', `/datasets/${dataset}`);
    throw error;
  }
}

/** Every row as the JSON the batch API takes, typed by the dataset's columns, with each row's line in the file. */
function buildRows(file: LoadedFile, dataset: Dataset): { rows: Record<string, Cell>[]; lines: number[]; schemaKey: string } {
  const sources = new Map(file.plan.columns.map((column, index) => [column.name, file.plan.source[index]!]));
  const used: { column: Column; source: number }[] = dataset.columns
    .filter((column) => (sources.get(column.name) ?? -1) >= 0)
    .map((column) => ({ column, source: sources.get(column.name)! }));
  const rows = file.table.rows.map((values) => {
    const row: Record<string, Cell> = {};
    for (const { column, source } of used) row[column.name] = toCell(column.type, values[source]);
    return row;
  });
  return { rows, lines: file.table.lines, schemaKey: JSON.stringify([used.map(({ column }) => [column.name, column.type]), dataset.primaryKey]) };
}

/** Consecutive slices of at most MAX_BATCH_ROWS rows and MAX_BATCH_BYTES of JSON; the same rows always give the same slices. */
function splitBatches(rows: readonly Record<string, Cell>[]): { start: number; count: number }[] {
  const batches: { start: number; count: number }[] = [];
  let start = 0;
  let bytes = 0;
  rows.forEach((row, index) => {
    const size = Buffer.byteLength(JSON.stringify(row)) + 1;
    if (index > start && (index - start >= MAX_BATCH_ROWS || bytes + size > MAX_BATCH_BYTES)) {
      batches.push({ start, count: index - start });
      start = index;
      bytes = 0;
    }
    bytes += size;
  });
  if (rows.length > start) batches.push({ start, count: rows.length - start });
  return batches;
}
