import { AppError } from '../core/errors.ts';
import { credentialGrant } from '../sandbox/credentials.ts';
import { hostKey } from '../sandbox/hosts.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { DEFAULT_LIMITS, type CredentialGrant } from '../sandbox/types.ts';
import type { Secret } from '../vault/schema.ts';
import { predecessors, successors } from './graph.ts';
import { branchTargets } from './nodes/branch.ts';
import { failed, succeeded, type NodeOutcome } from './nodes/outcome.ts';
import { runLlm, type ReadOnlyDatasets } from './nodes/llm.ts';
import { runCode, runHttp } from './nodes/sandboxed.ts';
import { runTransform } from './nodes/transform.ts';
import type { Definition, WorkflowNode } from './schema.ts';

/** ACC-02: what a step costs before any request it makes; each outbound request adds one. */
export const STEP_CREDITS = 1;

/** The least a node can cost: an HTTP node always makes its one request, a model step also spends at least one token credit. */
function leastCost(node: WorkflowNode): number {
  return node.type === 'http' ? STEP_CREDITS + 1 : node.type === 'llm' ? STEP_CREDITS + 2 : STEP_CREDITS;
}

export interface RecordedStep {
  seq: number;
  node: WorkflowNode;
  input: unknown;
  outcome: NodeOutcome;
  credits: number;
  startedAt: string;
  durationMs: number;
}

export interface RunEnvironment {
  sandbox(): Promise<Sandbox>;
  /** Opens the node's credential through the vault, which checks scope and disabled state (VLT-02, VLT-04). */
  openCredential(credentialId: string, nodeId: string): Promise<Secret>;
  /** Credits still available to this run under every budget that applies (Infinity when none). Asked before each step. */
  creditsLeft(): number;
  recordStep(step: RecordedStep): void;
  /** WFL-07: whether outbound requests may reach private addresses (workflows.allowPrivateAddresses). */
  allowPrivateAddresses: boolean;
  /** ACC-04: the workspace's datasets, read-only and masked, for model tool calls. */
  datasets(): ReadOnlyDatasets | undefined;
}

export type RunEnd =
  | { status: 'succeeded'; output: unknown }
  | { status: 'failed'; code: string; message: string; nodeId: string }
  | { status: 'budget_exceeded'; nodeId: string };

async function grantFor(node: { id: string; hosts: readonly string[]; credential?: string | undefined }, env: RunEnvironment): Promise<CredentialGrant | undefined | NodeOutcome> {
  if (node.credential === undefined) return undefined;
  try {
    const grant = credentialGrant(await env.openCredential(node.credential, node.id), node.hosts);
    return grant ?? failed('credential_unsupported', 'this kind of credential cannot be used by a request step yet');
  } catch (error) {
    if (error instanceof AppError) return failed(error.code, error.message);
    throw error;
  }
}

async function runNode(node: WorkflowNode, input: unknown, env: RunEnvironment, maxRequests: number): Promise<NodeOutcome> {
  switch (node.type) {
    case 'transform':
      return runTransform(node, input);
    case 'branch':
      return succeeded(input);
    case 'code':
    case 'http': {
      const grant = await grantFor(node, env);
      if (grant !== undefined && 'ok' in grant) return grant;
      const step = { sandbox: await env.sandbox(), grant, maxRequests };
      return node.type === 'code' ? runCode(node, input, step) : runHttp(node, input, step);
    }
    case 'llm': {
      const grant = await grantFor({ id: node.id, hosts: [hostKey(new URL(node.baseUrl))], credential: node.credential }, env);
      if (grant === undefined || 'ok' in grant) return grant ?? failed('credential_unsupported', 'the model step needs a credential');
      // One credit per round is the request; one more is kept for the tokens.
      return runLlm(node, input, { grant, allowPrivateAddresses: env.allowPrivateAddresses, datasets: env.datasets(), maxRequests: maxRequests - 1 });
    }
  }
}

/**
 * Runs a workflow version's nodes in topological order (the order is checked when the
 * definition is saved). A root node gets the run's input; a node with one active predecessor
 * gets its output, with several an object keyed by their ids. A node runs when at least one
 * predecessor ran and, for a branch, chose it; otherwise it is skipped. The budget is asked
 * before every step, and a step that fails ends the run.
 */
export async function executeRun(definition: Definition, order: readonly string[], input: unknown, env: RunEnvironment): Promise<RunEnd> {
  const nodes = new Map(definition.nodes.map((node) => [node.id, node]));
  const previous = predecessors(definition);
  const next = successors(definition);
  const outputs = new Map<string, unknown>();
  const chosen = new Map<string, Set<string>>();
  let seq = 0;
  for (const id of order) {
    const node = nodes.get(id)!;
    const from = previous.get(id)!;
    const active = from.filter((p) => outputs.has(p) && (chosen.get(p)?.has(id) ?? true));
    if (from.length > 0 && active.length === 0) continue;
    const nodeInput = from.length === 0 ? input : active.length === 1 ? outputs.get(active[0]!) : Object.fromEntries(active.map((p) => [p, outputs.get(p)]));
    const left = env.creditsLeft();
    if (left < leastCost(node)) return { status: 'budget_exceeded', nodeId: id };
    const startedAt = new Date().toISOString();
    const started = performance.now();
    // The sandbox refuses requests past this count, so a step cannot spend beyond the budget either.
    const outcome = await runNode(node, nodeInput, env, Math.min(DEFAULT_LIMITS.maxRequests, left - STEP_CREDITS));
    env.recordStep({ seq: seq++, node, input: nodeInput, outcome, credits: STEP_CREDITS + outcome.httpRequests + (outcome.tokenCredits ?? 0), startedAt, durationMs: performance.now() - started });
    if (!outcome.ok) return { status: 'failed', code: outcome.code, message: outcome.message, nodeId: id };
    outputs.set(id, outcome.output);
    if (node.type === 'branch') chosen.set(id, new Set(branchTargets(node, nodeInput)));
  }
  const sinks = [...outputs.keys()].filter((id) => !next.get(id)!.some((to) => outputs.has(to)));
  return { status: 'succeeded', output: sinks.length === 1 ? outputs.get(sinks[0]!) : Object.fromEntries(sinks.map((id) => [id, outputs.get(id)])) };
}
