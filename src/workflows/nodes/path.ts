/**
 * The value at a dotted path, reading own properties only: `__proto__` or `constructor` in a
 * path finds nothing rather than the object's prototype. Hand-written because the mapping is
 * this small; an expression language (JSONata) would be more surface than the nodes need.
 */
export function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
