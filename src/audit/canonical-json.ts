const MAX_DEPTH = 64;

/**
 * JSON with object keys sorted by UTF-16 code unit at every level and no whitespace, so
 * the same value always yields the same bytes and anyone can recompute a hash or a
 * signature input. Written out by hand because `JSON.stringify` keeps V8's property
 * order, which puts integer-like keys first.
 */
export function canonicalJson(value: unknown): string {
  // Most values (flat details written with sorted keys) are in canonical order already;
  // then JSON.stringify yields the same text in one native call, at a quarter of the cost.
  const text = inCanonicalOrder(value, 0) ? JSON.stringify(value) : serialize(value, 0);
  if (text === undefined) throw new TypeError('the value has no JSON form');
  return text;
}

/**
 * Whether `JSON.stringify` would emit `value` exactly as `serialize` does: only plain
 * objects and arrays, every object's keys already in ascending order as V8 lists them,
 * nothing with a `toJSON` to call, and no deeper than `serialize` accepts.
 */
function inCanonicalOrder(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  const record = value as Record<string, unknown>;
  if (depth > MAX_DEPTH || typeof record.toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!inCanonicalOrder(item, depth + 1)) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  let previous: string | undefined;
  for (const key of Object.keys(record)) {
    if (previous !== undefined && previous >= key) return false;
    if (!inCanonicalOrder(record[key], depth + 1)) return false;
    previous = key;
  }
  return true;
}

function serialize(value: unknown, depth: number): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (depth > MAX_DEPTH) throw new TypeError(`JSON nested deeper than ${MAX_DEPTH} levels (or cyclic)`);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return serialize(toJSON.call(value), depth + 1);
  if (Array.isArray(value)) {
    return `[${value.map((item) => serialize(item, depth + 1) ?? 'null').join(',')}]`;
  }
  const members: string[] = [];
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) {
    const member = serialize(record[key], depth + 1);
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
  }
  return `{${members.join(',')}}`;
}
