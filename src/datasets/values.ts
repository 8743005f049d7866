import type { Column, ColumnType, RejectedRow, Row } from './schema.ts';

/** What SQLite stores for a cell: booleans as 0/1, timestamps as UTC ISO 8601 text. */
export type StoredValue = string | number | null;

/**
 * An instant with an explicit offset (a bare local time would mean different instants on
 * different machines), seconds and fraction optional. Groups: year, month, day, hour,
 * minute, second, fraction, offset.
 */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isRealTime(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return days !== undefined && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59;
}

/** Positions of the digits in the stored form YYYY-MM-DDTHH:MM:SS.sssZ. */
const CANONICAL_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

/**
 * Whether a value is a real instant already in stored form, read character by character:
 * most agents send this form, and a capturing regex plus a Date round trip costs more than
 * the rest of a row's validation together.
 */
function isStoredForm(value: string): boolean {
  if (value.length !== 24 || value[4] !== '-' || value[7] !== '-' || value[10] !== 'T' || value[13] !== ':' || value[16] !== ':' || value[19] !== '.' || value[23] !== 'Z') return false;
  for (const position of CANONICAL_DIGITS) {
    const code = value.charCodeAt(position);
    if (code < 48 || code > 57) return false;
  }
  const number = (from: number, to: number) => Number(value.slice(from, to));
  return isRealTime(number(0, 4), number(5, 7), number(8, 10), number(11, 13), number(14, 16), number(17, 19));
}

/**
 * The instant as stored (UTC, milliseconds), or undefined. Fields are range-checked because
 * Date.parse rolls 2026-02-30 over into March instead of refusing it.
 */
function storedInstant(value: string): string | undefined {
  if (isStoredForm(value)) return value;
  const match = TIMESTAMP.exec(value);
  if (!match || !isRealTime(Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6] ?? 0))) return undefined;
  const instant = Date.parse(value);
  return Number.isNaN(instant) ? undefined : new Date(instant).toISOString();
}

type Problem = Pick<RejectedRow, 'code' | 'message'>;

/** A JSON value as the column stores it, or the reason it does not fit. */
export function toStored(type: ColumnType, value: unknown): StoredValue | Problem {
  switch (type) {
    case 'text':
      return typeof value === 'string' ? value : { code: 'invalid_value', message: 'must be a string' };
    case 'integer':
      return Number.isSafeInteger(value) ? (value as number) : { code: 'invalid_value', message: 'must be an integer between -(2^53-1) and 2^53-1' };
    case 'real':
      return typeof value === 'number' && Number.isFinite(value) ? value : { code: 'invalid_value', message: 'must be a finite number' };
    case 'boolean':
      return typeof value === 'boolean' ? (value ? 1 : 0) : { code: 'invalid_value', message: 'must be true or false' };
    case 'timestamp': {
      const instant = typeof value === 'string' ? storedInstant(value) : undefined;
      return instant ?? { code: 'invalid_value', message: 'must be an ISO 8601 date-time with an offset, e.g. 2026-01-31T12:00:00Z' };
    }
  }
}

function isProblem(value: StoredValue | Problem): value is Problem {
  return value !== null && typeof value === 'object';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Values in `columns` order, or why the row is refused: every column checked, none guessed. */
export function storedRow(columns: readonly Column[], keys: ReadonlySet<string>, row: unknown): StoredValue[] | (Problem & { column?: string }) {
  if (!isPlainObject(row)) return { code: 'not_an_object', message: 'a row must be a JSON object of column: value' };
  const known = new Set(columns.map((column) => column.name));
  const unknown = Object.keys(row).find((name) => !known.has(name));
  if (unknown !== undefined) return { code: 'unknown_column', message: 'the dataset has no such column', column: unknown.slice(0, 63) };
  const values: StoredValue[] = [];
  for (const column of columns) {
    // Own properties only: a column may be called `constructor`.
    const value = Object.hasOwn(row, column.name) ? row[column.name] : undefined;
    if (value === undefined || value === null) {
      if (keys.has(column.name)) return { code: 'missing_key', message: 'key columns must have a value', column: column.name };
      if (!column.nullable) return { code: 'null_not_allowed', message: 'this column may not be null', column: column.name };
      values.push(null);
      continue;
    }
    const stored = toStored(column.type, value);
    if (isProblem(stored)) return { ...stored, column: column.name };
    values.push(stored);
  }
  return values;
}

/** The key values of a delete, which names exactly the key columns. */
export function storedKey(keyColumns: readonly Column[], key: unknown): StoredValue[] | (Problem & { column?: string }) {
  if (!isPlainObject(key)) return { code: 'not_an_object', message: 'a delete must be a JSON object of key column: value' };
  const names = new Set(keyColumns.map((column) => column.name));
  const extra = Object.keys(key).find((name) => !names.has(name));
  if (extra !== undefined) return { code: 'not_a_key_column', message: 'a delete names only the primary key columns', column: extra.slice(0, 63) };
  return storedRow(keyColumns, names, key);
}

/** A stored row as the API shows it: booleans back to true/false. */
export function shownRow(columns: readonly Column[], stored: Record<string, StoredValue>): Row {
  const row: Row = {};
  for (const column of columns) {
    const value = Object.hasOwn(stored, column.name) ? (stored[column.name] ?? null) : null;
    row[column.name] = column.type === 'boolean' && value !== null ? value === 1 : value;
  }
  return row;
}
