import { z } from 'zod';
import type { Dataset } from '../../datasets/schema.ts';
import { datasetQuerySchema, type DatasetQuery, type QueryResult } from '../../datasets/query.ts';
import { AppError } from '../../core/errors.ts';
import { hostKey } from '../../sandbox/hosts.ts';
import { HostCallError, outboundRequest } from '../../sandbox/http.ts';
import { SecretMask } from '../../sandbox/mask.ts';
import { DEFAULT_LIMITS, type CredentialGrant } from '../../sandbox/types.ts';
import type { NodeOf } from '../schema.ts';
import type { NodeOutcome } from './outcome.ts';
import { fillText } from './template.ts';

/** ACC-02: one credit per started thousand tokens, at least one per model step. */
export const TOKENS_PER_CREDIT = 1000;
/** A model call may take far longer than a sandbox step. */
const CALL_TIMEOUT_MS = 120_000;

export interface ReadOnlyDatasets {
  list(): Dataset[];
  describe(name: string): Dataset;
  query(query: DatasetQuery): QueryResult;
}

export interface LlmStep {
  /** The workspace's key as the vault opened it for this node, sent only to the baseUrl's host. */
  grant: CredentialGrant;
  allowPrivateAddresses: boolean;
  /** Masked, read-only datasets of this workspace (ACC-04). */
  datasets: ReadOnlyDatasets | undefined;
  /** Outbound requests (= model rounds) the budget still covers (ACC-02). */
  maxRequests: number;
}

const TOOLS = {
  list_datasets: { description: 'List the datasets of this workspace with their columns and row counts.', parameters: { type: 'object', properties: {}, additionalProperties: false } },
  describe_dataset: { description: 'Describe one dataset: its columns (sensitive ones are returned masked) and row count.', parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } },
  // The query tool's parameters are the query schema itself, so the model is told exactly what the service accepts.
  query_dataset: { description: 'Query one dataset (filters, sort, aggregates, paging). Sensitive columns come back masked.', parameters: z.toJSONSchema(datasetQuerySchema, { io: 'input' }) },
} as const;

const toolCall = z.object({ id: z.string().max(200), type: z.literal('function').optional(), function: z.object({ name: z.string().max(100), arguments: z.string().max(100_000) }) });
const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable().optional(), tool_calls: z.array(toolCall).max(20).optional() }) })).min(1),
  usage: z.object({ total_tokens: z.number().int().min(0) }).optional(),
});

type Message = Record<string, unknown>;

function runTool(name: string, rawArguments: string, datasets: ReadOnlyDatasets): unknown {
  try {
    const args = JSON.parse(rawArguments) as unknown;
    if (name === 'list_datasets') return datasets.list();
    if (name === 'describe_dataset') return datasets.describe(z.object({ name: z.string().max(200) }).parse(args).name);
    if (name === 'query_dataset') return datasets.query(datasetQuerySchema.parse(args));
    return { error: 'unknown_tool' };
  } catch (error) {
    // The model sees a stable code, never internals.
    return { error: error instanceof AppError ? error.code : error instanceof z.ZodError ? 'invalid_arguments' : 'tool_failed' };
  }
}

/**
 * WFL-04: an OpenAI-compatible chat/completions call with the workspace's own key. The
 * request goes through the sandbox's guarded outbound path (outboundRequest: declared host =
 * the baseUrl's host, the key added host-side, addresses resolved, checked and pinned,
 * secrets masked in the answer) rather than a second HTTP client. Tool calls run host-side
 * against the read-only, masked datasets, for at most `maxRounds` model rounds.
 */
export async function runLlm(node: NodeOf<'llm'>, input: unknown, step: LlmStep): Promise<NodeOutcome> {
  const base = new URL(node.baseUrl);
  const prompt = fillText(node.prompt, input);
  let requests = 0;
  let tokens = 0;
  const finish = (outcome: { ok: true; output: unknown } | { ok: false; code: string; message: string }): NodeOutcome => ({
    ...outcome,
    httpRequests: requests,
    logs: [],
    tokenCredits: requests === 0 ? 0 : Math.max(1, Math.ceil(tokens / TOKENS_PER_CREDIT)),
  });
  if (base.protocol !== 'https:' && !step.allowPrivateAddresses) return finish({ ok: false, code: 'insecure_base_url', message: 'the model provider must be reached over https' });
  const tools = step.datasets === undefined ? [] : node.tools.map((name) => ({ type: 'function', function: { name, ...TOOLS[name] } }));
  const messages: Message[] = [...(node.system === '' ? [] : [{ role: 'system', content: node.system }]), { role: 'user', content: prompt }];
  const context = {
    scope: { hosts: [hostKey(base)], credentialFor: (handle: string) => (handle === node.credential ? step.grant : undefined) },
    allowPrivateAddresses: step.allowPrivateAddresses,
    mask: new SecretMask(),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    bodyBytes: DEFAULT_LIMITS.bodyBytes,
  };
  for (let round = 0; round < node.maxRounds; round++) {
    if (requests >= step.maxRequests) return finish({ ok: false, code: 'budget_exceeded', message: 'the credit budget does not cover another model round' });
    const body = { model: node.model, messages, ...(tools.length > 0 ? { tools } : {}) };
    let answer: { status: number; body: string };
    try {
      requests++;
      answer = JSON.parse(await outboundRequest(JSON.stringify({ url: `${node.baseUrl.replace(/\/+$/, '')}/chat/completions`, method: 'POST', body, credential: node.credential }), context)) as { status: number; body: string };
    } catch (error) {
      if (error instanceof HostCallError) return finish({ ok: false, code: error.code, message: error.message });
      throw error;
    }
    if (answer.status !== 200) return finish({ ok: false, code: 'llm_provider_error', message: `the model provider answered ${answer.status}` });
    let completion: z.infer<typeof completionSchema>;
    try {
      completion = completionSchema.parse(JSON.parse(answer.body));
    } catch {
      return finish({ ok: false, code: 'llm_invalid_response', message: 'the model provider answered something other than a chat completion' });
    }
    tokens += completion.usage?.total_tokens ?? 0;
    const message = completion.choices[0]!.message;
    const calls = message.tool_calls ?? [];
    if (calls.length === 0 || step.datasets === undefined) {
      return finish({ ok: true, output: { prompt, completion: message.content ?? '', rounds: round + 1, tokens } });
    }
    messages.push({ role: 'assistant', content: message.content ?? null, tool_calls: calls });
    for (const call of calls) {
      const allowed = (node.tools as readonly string[]).includes(call.function.name);
      const result = allowed ? runTool(call.function.name, call.function.arguments, step.datasets) : { error: 'unknown_tool' };
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
    }
  }
  return finish({ ok: false, code: 'llm_too_many_rounds', message: `the model still asked for tools after ${node.maxRounds} rounds` });
}
