import { openEncryptedDatabase, type SqliteDatabase } from '../../core/database.ts';
import { redactValue } from '../../core/redact/index.ts';
import { SENSITIVE_MASK } from '../../datasets/masking.ts';
import type { CheckedQuery, ResultColumn } from './guard.ts';
import type { QueryResult } from './protocol.ts';

/**
 * ACC-04: the only way the query path opens a workspace database. Opened read-only
 * (SQLITE_OPEN_READONLY, plus query_only), so SQLite itself refuses any write whatever
 * statement reaches it, including ones the guard would have let through by mistake.
 */
export function openQueryHandle(path: string, key: Buffer): SqliteDatabase {
  return openEncryptedDatabase(path, { key, readonly: true });
}

/** Result names made unique, so `SELECT a, a` keeps both columns in a row object. */
function uniqueNames(columns: readonly ResultColumn[]): string[] {
  const seen = new Set<string>();
  return columns.map((column) => {
    let name = column.name;
    for (let n = 2; seen.has(name); n += 1) name = `${column.name}_${n}`;
    seen.add(name);
    return name;
  });
}

/** A value as it may leave: blobs as hex text (JSON has no bytes), then LOG-05 masking as for dataset rows. */
function outgoing(value: unknown, masked: boolean): unknown {
  if (value === null) return null;
  if (masked) return SENSITIVE_MASK;
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex').toUpperCase()}'`;
  return redactValue(value);
}

function size(value: unknown): number {
  return typeof value === 'string' ? value.length : 16;
}

/**
 * Runs a checked statement, stopping after maxRows rows or about maxBytes of values: one row
 * more is fetched to know whether the result was cut (truncated), and the rest is never read.
 */
export function readRows(query: CheckedQuery, maxRows: number, maxBytes: number): QueryResult {
  const names = uniqueNames(query.columns);
  const rows: Record<string, unknown>[] = [];
  let bytes = 0;
  let truncated = false;
  for (const raw of query.statement.raw(true).iterate() as IterableIterator<unknown[]>) {
    if (rows.length >= maxRows || bytes >= maxBytes) {
      truncated = true;
      break;
    }
    const values = names.map((_, index) => outgoing(raw[index], query.columns[index]?.masked ?? true));
    for (const value of values) bytes += size(value);
    // fromEntries defines own properties, so a column named __proto__ stays data.
    rows.push(Object.fromEntries(names.map((name, index) => [name, values[index]])));
  }
  return { columns: names, rows, truncated };
}
