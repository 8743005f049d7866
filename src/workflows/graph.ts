import { AppError } from '../core/errors.ts';
import type { Definition } from './schema.ts';

/** Every node's successors: its edges, and for a branch its `then` and `else` lists. */
export function successors(definition: Definition): Map<string, string[]> {
  const next = new Map(definition.nodes.map((node) => [node.id, [] as string[]]));
  for (const edge of definition.edges) next.get(edge.from)?.push(edge.to);
  for (const node of definition.nodes) if (node.type === 'branch') next.get(node.id)?.push(...node.then, ...node.else);
  return next;
}

/**
 * WFL-01: the structural checks zod cannot express, each refused with its own code: ids
 * unique, every edge and branch target a node of this workflow, a branch's successors only
 * its own lists (so which way it went is never ambiguous), and no cycle. Returns the
 * topological order the runner follows (Kahn's algorithm, ties in declaration order).
 */
export function checkGraph(definition: Definition): string[] {
  const ids = new Set<string>();
  for (const node of definition.nodes) {
    if (ids.has(node.id)) throw new AppError(400, 'workflow_duplicate_node', `two nodes have the id ${node.id}`);
    ids.add(node.id);
  }
  const branches = new Set(definition.nodes.filter((node) => node.type === 'branch').map((node) => node.id));
  for (const edge of definition.edges) {
    if (!ids.has(edge.from) || !ids.has(edge.to)) throw new AppError(400, 'workflow_dangling_edge', `the edge ${edge.from} → ${edge.to} names a node that does not exist`);
    if (branches.has(edge.from)) throw new AppError(400, 'workflow_branch_edge', `branch ${edge.from} leads on through its then and else lists, not edges`);
  }
  const next = successors(definition);
  for (const [from, targets] of next) {
    for (const to of targets) if (!ids.has(to)) throw new AppError(400, 'workflow_dangling_edge', `${from} leads to ${to}, which does not exist`);
  }
  const incoming = new Map([...ids].map((id) => [id, 0]));
  for (const targets of next.values()) for (const to of new Set(targets)) incoming.set(to, incoming.get(to)! + 1);
  const ready = definition.nodes.map((node) => node.id).filter((id) => incoming.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const to of new Set(next.get(id))) {
      incoming.set(to, incoming.get(to)! - 1);
      if (incoming.get(to) === 0) ready.push(to);
    }
  }
  if (order.length !== ids.size) throw new AppError(400, 'workflow_cycle', 'the nodes form a cycle; a workflow is a directed acyclic graph');
  return order;
}

/** Each node's predecessors, the inverse of `successors`. */
export function predecessors(definition: Definition): Map<string, string[]> {
  const previous = new Map(definition.nodes.map((node) => [node.id, [] as string[]]));
  for (const [from, targets] of successors(definition)) for (const to of new Set(targets)) previous.get(to)!.push(from);
  return previous;
}
