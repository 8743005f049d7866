import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { CredentialGrant, StepResult } from '../../sandbox/types.ts';
import type { NodeOf } from '../schema.ts';
import type { NodeOutcome } from './outcome.ts';
import { fillJson, fillText } from './template.ts';

export interface SandboxedStep {
  sandbox: Sandbox;
  /** The grant for the node's own credential, opened by the vault for this node (VLT-02); none without one. */
  grant: CredentialGrant | undefined;
  /** Outbound requests this step may still make within the credit budget (ACC-02). */
  maxRequests: number;
}

function outcome(result: StepResult): NodeOutcome {
  const common = { httpRequests: result.meter.httpRequests, logs: result.logs };
  return result.ok ? { ok: true, output: result.output, ...common } : { ok: false, code: result.code, message: result.message, ...common };
}

/** The handle code passes as `credential`: the node's credential id; any other handle resolves to nothing. */
function scope(node: { hosts: readonly string[]; credential?: string | undefined }, step: SandboxedStep) {
  return { hosts: node.hosts, credentialFor: (handle: string) => (node.credential !== undefined && handle === node.credential ? step.grant : undefined) };
}

export async function runCode(node: NodeOf<'code'>, input: unknown, step: SandboxedStep): Promise<NodeOutcome> {
  return outcome(await step.sandbox.run({ code: node.code, input, scope: scope(node, step), limits: { maxRequests: step.maxRequests } }));
}

/**
 * An HTTP node is a generated sandbox step, so it goes through the one guarded request path
 * (declared hosts, private-address refusal, credential injection, secret masking) that code
 * steps use, instead of a second host-side client. The request is built here from the
 * template and handed in as the step's input; the fixed code only passes it on.
 */
export async function runHttp(node: NodeOf<'http'>, input: unknown, step: SandboxedStep): Promise<NodeOutcome> {
  const request = {
    url: fillText(node.url, input, encodeURIComponent),
    method: node.method,
    headers: Object.fromEntries(Object.entries(node.headers).map(([name, value]) => [name, fillText(value, input)])),
    ...(node.body === undefined ? {} : { body: fillJson(node.body, input) }),
    ...(node.credential === undefined ? {} : { credential: node.credential }),
  };
  return outcome(await step.sandbox.run({ code: 'return await http.request(input);', input: request, scope: scope(node, step), limits: { maxRequests: Math.min(step.maxRequests, 1) } }));
}
