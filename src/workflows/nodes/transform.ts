import type { NodeOf } from '../schema.ts';
import { succeeded, type NodeOutcome } from './outcome.ts';
import { valueAt } from './path.ts';

/** Picks and renames fields on the host: no code runs, so it needs no sandbox and makes no request. */
export function runTransform(node: NodeOf<'transform'>, input: unknown): NodeOutcome {
  const output: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(node.fields)) {
    const value = valueAt(input, path);
    if (value !== undefined) Object.defineProperty(output, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return succeeded(output);
}
