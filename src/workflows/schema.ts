import { Cron } from 'croner';
import { z } from 'zod';
import { idPattern } from '../core/ids.ts';
import { credentialIdSchema } from '../vault/schema.ts';

export const workflowIdSchema = z.string().regex(idPattern('wf'), 'must be a workflow id');
export const runIdSchema = z.string().regex(idPattern('run'), 'must be a run id');

/** Node ids also name nodes in credential scopes, so they fit the vault's name pattern (VLT-02). */
const nodeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a node id (letters, digits, _ . -)');
/** A dotted path into a node's input, such as `order.items.0.sku`. */
export const fieldPath = z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+){0,15}$/, 'must be a dotted field path');
const hosts = z.array(z.string().min(1).max(260)).max(20).default([]);
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be an HTTP header name');

const codeNode = z.strictObject({
  id: nodeId,
  type: z.literal('code'),
  /** The body of an async function of `input`, run in the sandbox (WFL-02). */
  code: z.string().min(1).max(100_000),
  hosts,
  credential: credentialIdSchema.optional(),
});

const httpNode = z.strictObject({
  id: nodeId,
  type: z.literal('http'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  /** May hold `{{path}}` placeholders filled from the input (URL-encoded). */
  url: z.string().min(1).max(2048),
  headers: z.record(headerName, z.string().max(8192).regex(/^[^\r\n\0]*$/)).default({}),
  /** JSON; a string that is exactly `{{path}}` becomes that input value, other strings interpolate. */
  body: z.json().optional(),
  credential: credentialIdSchema.optional(),
  /** The only hosts this node may reach (`name` or `name:port`); the URL's host must be one of them. */
  hosts: hosts.refine((list) => list.length > 0, 'an http node declares the hosts it calls'),
});

const transformNode = z.strictObject({
  id: nodeId,
  type: z.literal('transform'),
  /** Output field → input path: picks and renames fields, nothing else runs. */
  fields: z.record(z.string().regex(/^[A-Za-z0-9_$-]{1,100}$/), fieldPath).refine((fields) => Object.keys(fields).length > 0, 'name at least one field'),
});

const branchNode = z.strictObject({
  id: nodeId,
  type: z.literal('branch'),
  field: fieldPath,
  equals: z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]),
  /** Nodes that run when the input's field equals `equals`; `else` the ones that run otherwise. */
  then: z.array(nodeId).max(50).default([]),
  else: z.array(nodeId).max(50).default([]),
});

function providerBase(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

/** WFL-04: a model call with the workspace's own key; see nodes/llm.ts. */
const llmNode = z.strictObject({
  id: nodeId,
  type: z.literal('llm'),
  /** Only the OpenAI-compatible chat/completions format is implemented so far. */
  provider: z.literal('openai-compatible'),
  /** Up to the API version, e.g. `https://api.openai.com/v1`; plain http only where private addresses are allowed. */
  baseUrl: z.string().max(2048).refine(providerBase, 'must be an http(s) URL without credentials, query or fragment'),
  model: z.string().min(1).max(200),
  /** The workspace's API key, a bearer credential scoped to this node (VLT-02). */
  credential: credentialIdSchema,
  system: z.string().max(20_000).default(''),
  /** `{{path}}` placeholders filled from the node's input. */
  prompt: z.string().min(1).max(50_000),
  /** Read-only, masked access to this workspace's datasets (ACC-04, LOG-05). */
  tools: z.array(z.enum(['list_datasets', 'describe_dataset', 'query_dataset'])).max(3).default([]),
  maxRounds: z.number().int().min(1).max(8).default(4),
});

export const nodeSchema = z.discriminatedUnion('type', [codeNode, httpNode, transformNode, branchNode, llmNode]);
export type WorkflowNode = z.infer<typeof nodeSchema>;
export type NodeOf<T extends WorkflowNode['type']> = Extract<WorkflowNode, { type: T }>;

function validCron(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

export const triggerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('manual') }),
  z.strictObject({ type: z.literal('webhook') }),
  /** Fired by scheduler.ts while the workflow is enabled; croner syntax, seconds allowed. */
  z.strictObject({ type: z.literal('schedule'), cron: z.string().min(1).max(200).refine(validCron, 'must be a valid cron expression') }),
]);
export type Trigger = z.infer<typeof triggerSchema>;

/** The graph's structure is checked in graph.ts (unique ids, known targets, no cycles) with its own error codes. */
export const definitionSchema = z.strictObject({
  trigger: triggerSchema,
  nodes: z.array(nodeSchema).min(1).max(100),
  edges: z.array(z.strictObject({ from: nodeId, to: nodeId })).max(500).default([]),
});
export type Definition = z.infer<typeof definitionSchema>;

const workflowName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/, 'must be a workflow name (letters, digits, space _ . -)');

export const createWorkflowSchema = z.strictObject({
  name: workflowName,
  /** WFL-05: every run of this workflow stores no payloads. */
  incognito: z.boolean().default(false),
  definition: definitionSchema,
});
export type CreateWorkflow = z.infer<typeof createWorkflowSchema>;

export const updateWorkflowSchema = z
  .strictObject({ name: workflowName, incognito: z.boolean(), enabled: z.boolean(), definition: definitionSchema })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'change at least one of name, incognito, enabled, definition');
export type UpdateWorkflow = z.infer<typeof updateWorkflowSchema>;

export const workflowSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  version: z.number().int(),
  trigger: z.enum(['manual', 'webhook', 'schedule']),
  incognito: z.boolean(),
  enabled: z.boolean(),
  /** Where a webhook trigger is delivered, relative to the server's origin. */
  webhookPath: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Workflow = z.infer<typeof workflowSchema>;

export const workflowDetailSchema = workflowSchema.extend({ definition: definitionSchema });
export type WorkflowDetail = z.infer<typeof workflowDetailSchema>;

export const versionSchema = z.strictObject({ version: z.number().int(), createdBy: z.string(), createdAt: z.string(), definition: definitionSchema });

export const startRunSchema = z.strictObject({
  input: z.json().optional(),
  /** WFL-05: this run stores no payloads, whatever the workflow's setting. */
  incognito: z.boolean().optional(),
});

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'budget_exceeded'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const stepSchema = z.strictObject({
  seq: z.number().int(),
  nodeId: z.string(),
  nodeType: z.string(),
  status: z.enum(['succeeded', 'failed']),
  /** Redacted copies; null for incognito runs. */
  input: z.json().nullable(),
  output: z.json().nullable(),
  logs: z.array(z.strictObject({ level: z.string(), message: z.string() })).nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  credits: z.number().int(),
  httpRequests: z.number().int(),
  startedAt: z.string(),
  durationMs: z.number(),
});
export type Step = z.infer<typeof stepSchema>;

export const runSchema = z.strictObject({
  id: z.string(),
  workflowId: z.string(),
  version: z.number().int(),
  trigger: z.enum(['manual', 'webhook', 'schedule']),
  status: z.enum(RUN_STATUSES),
  incognito: z.boolean(),
  actor: z.strictObject({ type: z.string(), id: z.string() }),
  input: z.json().nullable(),
  output: z.json().nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  credits: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Run = z.infer<typeof runSchema>;
export const runDetailSchema = runSchema.extend({ steps: z.array(stepSchema) });
export type RunDetail = z.infer<typeof runDetailSchema>;

export const listRunsQuerySchema = z.strictObject({
  workflowId: workflowIdSchema.optional(),
  status: z.enum(RUN_STATUSES).optional(),
  /** Runs started before this time (ISO), for paging back. */
  before: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListRunsQuery = z.infer<typeof listRunsQuerySchema>;

const creditLimit = z.number().int().min(0).max(1_000_000_000).nullable();
export const setBudgetSchema = z.strictObject({ monthlyLimit: creditLimit });

export const creditsSchema = z.strictObject({
  /** The calendar month (UTC) budgets count in, `YYYY-MM`. */
  period: z.string(),
  workspace: z.strictObject({ used: z.number().int(), monthlyLimit: creditLimit }),
  members: z.array(z.strictObject({ memberId: z.string(), used: z.number().int(), monthlyLimit: creditLimit })),
});
export type Credits = z.infer<typeof creditsSchema>;
