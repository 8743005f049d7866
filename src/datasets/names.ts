/**
 * The only names a dataset or column may have (AGT-03): checked by the route schemas before
 * a request reaches a service, and again here, right before a name becomes part of SQL, so
 * no caller can bypass the allow-list. Lower-case ASCII, so names cannot differ only by case
 * (SQLite compares identifiers case-insensitively).
 */
export const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export class UnsafeNameError extends Error {
  override name = 'UnsafeNameError';
}

/** A checked name as a quoted SQL identifier; quoting as well as checking, so a future looser pattern still cannot inject. */
export function quoteName(name: string): string {
  if (!NAME_PATTERN.test(name)) throw new UnsafeNameError('a dataset or column name failed the allow-list');
  return `"${name.replaceAll('"', '""')}"`;
}

/** Dataset tables carry a prefix so no dataset name can collide with Enclave's own tables (audit_events, dataset …). */
export function datasetTable(name: string): string {
  if (!NAME_PATTERN.test(name)) throw new UnsafeNameError('a dataset or column name failed the allow-list');
  return `"ds_${name}"`;
}
