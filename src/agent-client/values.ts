import type { ColumnType } from '../datasets/schema.ts';
import { toStored } from '../datasets/values.ts';

/** A cell as a file gives it: CSV cells are strings, JSON lines any JSON value. */
export type RawValue = unknown;
export type Cell = string | number | boolean | null;

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const REAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const BOOLEAN = /^(true|false)$/i;

/**
 * The server's own timestamp rule (an ISO 8601 instant with an offset), shared so the agent
 * never declares a timestamp column the server would then refuse values for.
 */
function isTimestamp(value: string): boolean {
  return typeof toStored('timestamp', value) === 'string';
}

/** The narrowest type a single non-empty value fits. A leading zero ("007") stays text so no digits are lost. */
function typeOf(value: RawValue): ColumnType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'real';
  if (typeof value !== 'string') return 'text';
  // Digits beyond 2^53 would lose precision as a number: an id like that stays text.
  if (INTEGER.test(value)) return Number.isSafeInteger(Number(value)) ? 'integer' : 'text';
  if (REAL.test(value) && Number.isFinite(Number(value))) return 'real';
  if (BOOLEAN.test(value)) return 'boolean';
  return isTimestamp(value) ? 'timestamp' : 'text';
}

export function isEmpty(value: RawValue): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * What one column holds: the one type every non-empty value fits (integers widen to real),
 * text when they disagree or when there are none.
 */
export class TypeTracker {
  #type: ColumnType | undefined;

  see(value: RawValue): void {
    if (isEmpty(value) || this.#type === 'text') return;
    const type = typeOf(value);
    if (this.#type === undefined || this.#type === type) this.#type = type;
    else if ((this.#type === 'integer' && type === 'real') || (this.#type === 'real' && type === 'integer')) this.#type = 'real';
    else this.#type = 'text';
  }

  get type(): ColumnType {
    return this.#type ?? 'text';
  }
}

/**
 * A file's value as the JSON the server expects for the column's type. An empty CSV cell is
 * null. A value that does not convert is sent as it is, so the server rejects that row with
 * its reason (reported) instead of the agent guessing.
 */
export function toCell(type: ColumnType, value: RawValue): Cell {
  if (isEmpty(value)) return null;
  // A JSON line's nested object or array: kept as its JSON text in a text column.
  if (typeof value === 'object') return type === 'text' ? JSON.stringify(value) : (value as Cell);
  switch (type) {
    case 'text':
      return String(value);
    case 'integer':
      return typeof value === 'string' && INTEGER.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : (value as Cell);
    case 'real':
      return typeof value === 'string' && REAL.test(value) && Number.isFinite(Number(value)) ? Number(value) : (value as Cell);
    case 'boolean':
      return typeof value === 'string' && BOOLEAN.test(value) ? value.toLowerCase() === 'true' : (value as Cell);
    case 'timestamp':
      return value as Cell;
  }
}
