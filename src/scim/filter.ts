import { AppError } from '../core/errors.ts';

/** `userName eq "value"`: attribute names and the operator are case-insensitive (RFC 7644 3.4.2.2), the value a JSON string. */
const USER_NAME_EQ = /^\s*username\s+eq\s+("(?:[^"\\]|\\.)*")\s*$/i;

/**
 * The one filter Enclave answers, the one identity providers use to find a person
 * before creating them. Anything else is refused with `invalidFilter` rather than
 * half-understood.
 */
export function userNameFilter(filter: string): string {
  const match = USER_NAME_EQ.exec(filter);
  if (match) {
    try {
      const value: unknown = JSON.parse(match[1]!);
      if (typeof value === 'string') return value.trim().toLowerCase();
    } catch {
      // Falls through to the refusal below.
    }
  }
  throw new AppError(400, 'invalid_filter', 'only the filter userName eq "<email>" is supported');
}
