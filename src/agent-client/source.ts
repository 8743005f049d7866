import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type Column, createDatasetSchema } from '../datasets/schema.ts';
import { CsvError, parseCsv } from './csv.ts';
import { columnNamesFor, datasetNameFor } from './names.ts';
import { type RawValue, TypeTracker } from './values.ts';

/** Files the agent syncs; anything else in the folder (including `*.schema.json` sidecars) is left alone. */
export const DATA_EXTENSIONS = ['.csv', '.jsonl', '.ndjson'] as const;
export const SIDECAR_SUFFIX = '.schema.json';

export function isDataFile(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  return !fileName.startsWith('.') && DATA_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** A problem with one line of a file, found before anything is sent. */
export interface LineProblem {
  line: number;
  message: string;
}

/** A file read as a table: its headers (as written), and each row's values in header order with its line number. */
export interface SourceTable {
  headers: string[];
  rows: RawValue[][];
  lines: number[];
  problems: LineProblem[];
}

export class SourceError extends Error {
  override name = 'SourceError';
}

function readCsv(text: string): SourceTable {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (error) {
    throw new SourceError(error instanceof CsvError ? `not valid CSV: ${error.message}` : 'not valid CSV');
  }
  const [headers, ...rest] = records;
  if (!headers) return { headers: [], rows: [], lines: [], problems: [] };
  const table: SourceTable = { headers, rows: [], lines: [], problems: [] };
  // Records, not lines: a quoted field may span lines, so this is the record's ordinal (header = 1).
  rest.forEach((record, index) => {
    const line = index + 2;
    if (record.length > headers.length) table.problems.push({ line, message: `record ${line} has ${record.length} fields; the header has ${headers.length}` });
    else {
      table.rows.push(record);
      table.lines.push(line);
    }
  });
  return table;
}

function readJsonLines(text: string): SourceTable {
  const table: SourceTable = { headers: [], rows: [], lines: [], problems: [] };
  const position = new Map<string, number>();
  const objects: { line: number; value: Record<string, unknown> }[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((source, index) => {
    const line = index + 1;
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch {
      table.problems.push({ line, message: `line ${line} is not JSON` });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      table.problems.push({ line, message: `line ${line} is not a JSON object` });
      return;
    }
    for (const key of Object.keys(value)) {
      if (!position.has(key)) {
        position.set(key, table.headers.length);
        table.headers.push(key);
      }
    }
    objects.push({ line, value: value as Record<string, unknown> });
  });
  for (const { line, value } of objects) {
    const row: RawValue[] = new Array(table.headers.length).fill(null);
    for (const [key, cell] of Object.entries(value)) row[position.get(key)!] = cell;
    table.rows.push(row);
    table.lines.push(line);
  }
  return table;
}

/** The schema a sidecar `<file>.schema.json` declares: the createDataset body, optionally with the dataset name. */
const sidecarSchema = createDatasetSchema.partial({ name: true });

export interface DatasetPlan {
  dataset: string;
  columns: Column[];
  primaryKey: string[];
  /** For each planned column, the index of the file's header it comes from (-1: the file lacks it, always null). */
  source: number[];
}

export interface LoadedFile {
  fileName: string;
  /** SHA-256 of the file's bytes and its sidecar's: what makes a sync of this content unique. */
  fingerprint: string;
  table: SourceTable;
  plan: DatasetPlan;
}

/**
 * Reads a data file and decides its dataset. Without a sidecar the schema is inferred: one
 * column per header (normalised to the name allow-list), each typed as integer, real,
 * boolean, timestamp or text by what all its values fit, and the primary key is the column
 * named `id` when there is one, else the first column (a key column that is neither text,
 * integer nor timestamp becomes text, which the server allows as a key).
 */
export function loadFile(path: string): LoadedFile {
  const fileName = basename(path);
  const bytes = readFileSync(path);
  const sidecarPath = `${path}${SIDECAR_SUFFIX}`;
  const sidecarBytes = existsSync(sidecarPath) ? readFileSync(sidecarPath) : undefined;
  const fingerprint = createHash('sha256').update(bytes).update('\0').update(sidecarBytes ?? '').digest('hex');
  const text = bytes.toString('utf8');
  const table = fileName.toLowerCase().endsWith('.csv') ? readCsv(text) : readJsonLines(text);
  if (table.headers.length === 0) throw new SourceError('the file has no header row or no rows');
  const names = columnNamesFor(table.headers);
  return { fileName, fingerprint, table, plan: sidecarBytes ? declaredPlan(fileName, names, sidecarBytes) : inferredPlan(fileName, names, table) };
}

function datasetOf(fileName: string): string {
  const dataset = datasetNameFor(fileName);
  if (!dataset) throw new SourceError('its name gives no usable dataset name (a-z, 0-9 and _, starting with a letter): rename it');
  return dataset;
}

function inferredPlan(fileName: string, names: string[], table: SourceTable): DatasetPlan {
  const trackers = names.map(() => new TypeTracker());
  for (const row of table.rows) row.forEach((value, index) => trackers[index]?.see(value));
  const key = names.includes('id') ? 'id' : names[0]!;
  const columns: Column[] = names.map((name, index) => {
    const inferred = trackers[index]!.type;
    const keyType = inferred === 'integer' || inferred === 'timestamp' ? inferred : 'text';
    return name === key ? { name, type: keyType, nullable: false } : { name, type: inferred, nullable: true };
  });
  return { dataset: datasetOf(fileName), columns, primaryKey: [key], source: names.map((_, index) => index) };
}

function declaredPlan(fileName: string, names: string[], sidecar: Buffer): DatasetPlan {
  let json: unknown;
  try {
    json = JSON.parse(sidecar.toString('utf8'));
  } catch {
    throw new SourceError(`its ${SIDECAR_SUFFIX} sidecar is not JSON`);
  }
  const parsed = sidecarSchema.safeParse(json);
  if (!parsed.success) throw new SourceError(`its ${SIDECAR_SUFFIX} sidecar is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const { name, columns, primaryKey } = parsed.data;
  return { dataset: name ?? datasetOf(fileName), columns, primaryKey, source: columns.map((column) => names.indexOf(column.name)) };
}
