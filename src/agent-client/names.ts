import { NAME_PATTERN } from '../datasets/names.ts';

/**
 * File and column names as dataset and column names the server accepts (the same
 * allow-list, ^[a-z][a-z0-9_]{0,62}$): lower-cased, every run of other characters turned
 * into one `_`, leading and trailing `_` dropped, a leading digit prefixed, cut to 63
 * characters. Undefined when nothing usable is left (e.g. a name only of non-ASCII letters).
 */
export function normaliseName(raw: string, digitPrefix: string): string | undefined {
  let name = raw
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (name === '') return undefined;
  if (/^[0-9]/.test(name)) name = `${digitPrefix}${name}`;
  name = name.slice(0, 63).replace(/_+$/, '');
  return NAME_PATTERN.test(name) ? name : undefined;
}

/** A data file's dataset: its name without the extension. */
export function datasetNameFor(fileName: string): string | undefined {
  return normaliseName(fileName.replace(/\.[^.]*$/, ''), 'd_');
}

/**
 * Column names for a header row, in order: unusable or repeated names get a positional
 * name (`column_3`) or a suffix (`amount_2`), so every header maps to exactly one column.
 */
export function columnNamesFor(headers: readonly string[]): string[] {
  const used = new Set<string>();
  return headers.map((header, index) => {
    const base = normaliseName(header, 'c_') ?? `column_${index + 1}`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base.slice(0, 60)}_${n}`;
    used.add(name);
    return name;
  });
}
