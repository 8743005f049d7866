import { mask, redactValue } from '../core/redact/index.ts';
import type { Column, Row } from './schema.ts';

/** Who is reading rows: with `reveal` (datasets:reveal) they see every value as stored. */
export interface RowView {
  reveal: boolean;
}

/** What a reader without reveal sees instead of any value of a sensitive column. */
export const SENSITIVE_MASK = mask('sensitive');

/**
 * A row as a reader without reveal sees it (LOG-05). A sensitive column's value is masked
 * whole, whatever it holds: the column was declared sensitive because its values are, not
 * because they look like a secret. Every other value still goes through the content redactor,
 * so a card number, IBAN or password that an export put into an ordinary column (a free-text
 * note, a column named `password`) is masked too. An absent value (null) stays null: that a
 * cell is empty is not the secret.
 */
export function maskedRow(columns: readonly Column[], row: Row): Row {
  const masked = redactValue(row) as Row;
  for (const column of columns) {
    if (column.sensitive === true && row[column.name] !== null) masked[column.name] = SENSITIVE_MASK;
  }
  return masked;
}
