import type { NodeOf } from '../schema.ts';
import { valueAt } from './path.ts';

/** Which of the branch's lists runs next; its input passes through unchanged as its output. */
export function branchTargets(node: NodeOf<'branch'>, input: unknown): string[] {
  const value = valueAt(input, node.field);
  return (value === undefined ? null : value) === node.equals ? node.then : node.else;
}
