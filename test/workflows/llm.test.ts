import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/core/database.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { createWorkflow, startPeer, type RunBody } from './fixtures.ts';

const TAX_ID = `TAXID-CANARY-${randomBytes(4).toString('hex')}`;

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: { model: string; messages: { role: string; content: string | null }[]; tools?: { function: { name: string } }[] };
}

/**
 * A fake OpenAI-compatible provider on 127.0.0.1: with tools offered and no tool result yet
 * it asks for one query_dataset call; once it has the result it answers with it quoted.
 */
async function startModel() {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'];
      received.push({ url: request.url ?? '', headers: request.headers, body });
      const toolResult = body.messages.find((message) => message.role === 'tool');
      const message = toolResult
        ? { role: 'assistant', content: `The customers are: ${toolResult.content}` }
        : body.tools?.length
          ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'query_dataset', arguments: JSON.stringify({ dataset: 'customers' }) } }] }
          : { role: 'assistant', content: 'no tools needed' };
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message, finish_reason: 'stop' }], usage: { prompt_tokens: 900, completion_tokens: 200, total_tokens: 1100 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function everyRow(db: SqliteDatabase): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  return tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all(), (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('utf8') : value))).join('\n');
}

describe('LLM agent steps', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;
  let model: Awaited<ReturnType<typeof startModel>>;
  let bystander: Awaited<ReturnType<typeof startPeer>>;
  let credential: string;
  const apiKey = ['sk', 'canary', randomBytes(16).toString('hex')].join('-');

  beforeAll(async () => {
    // The fake provider listens on 127.0.0.1, so this deployment lets workflows reach private addresses.
    enclave = await startTestServer({ workflows: { allowPrivateAddresses: true } });
    workspace = await enclave.createWorkspace('Agents');
    model = await startModel();
    bystander = await startPeer();
    const dataset = {
      name: 'customers',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'text' },
        { name: 'tax_id', type: 'text', sensitive: true },
      ],
      primaryKey: ['id'],
    };
    expect((await api('POST', '/datasets', dataset)).status).toBe(201);
    const builder = await enclave.addKey(workspace.id, 'builder');
    const batch = await enclave.request('POST', `/api/w/${workspace.id}/datasets/customers/batches`, { token: builder, body: { batchId: 'seed', upserts: [{ id: 1, name: 'Ada Lovelace', tax_id: TAX_ID }] } });
    expect(batch.status).toBe(200);
    const created = await api('POST', '/credentials', { name: 'model key', secret: { kind: 'bearer', token: apiKey }, scopes: [{ workflow: 'agent' }, { workflow: 'quiet agent' }] });
    credential = ((await created.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await model.close();
    await bystander.close();
    await enclave.close();
  });

  const api = (method: string, path: string, body?: unknown) => enclave.request(method, `/api/w/${workspace.id}${path}`, { token: workspace.token, body });
  const llmWorkflow = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    definition: {
      trigger: { type: 'manual' },
      nodes: [{ id: 'ask', type: 'llm', provider: 'openai-compatible', baseUrl: `${model.url}/v1`, model: 'fake-1', credential, system: 'You answer from the datasets.', prompt: 'Tell me about {{topic}}', tools: ['query_dataset', 'list_datasets'], ...extra }],
    },
  });

  it('[WFL-04] the workspace key reaches only the provider; a tool call queries a dataset and sensitive columns reach the model masked', async () => {
    const { workflow } = await createWorkflow(enclave, workspace, llmWorkflow('agent'));
    const response = await api('POST', `/workflows/${workflow.id}/runs`, { input: { topic: 'our customers' } });
    expect(response.status).toBe(201);
    const run = (await response.json()) as RunBody;
    expect(run.status).toBe('succeeded');

    // Two rounds: the tool call, then the answer. The key went to the provider each time, and only there.
    expect(model.received.map((request) => [request.url, request.headers.authorization])).toEqual([
      ['/v1/chat/completions', `Bearer ${apiKey}`],
      ['/v1/chat/completions', `Bearer ${apiKey}`],
    ]);
    expect(bystander.received).toHaveLength(0);
    const first = model.received[0]!.body;
    expect(first.model).toBe('fake-1');
    expect(first.messages).toEqual([{ role: 'system', content: 'You answer from the datasets.' }, { role: 'user', content: 'Tell me about our customers' }]);
    expect(first.tools!.map((tool) => tool.function.name)).toEqual(['query_dataset', 'list_datasets']);
    expect(JSON.stringify(model.received.map((request) => request.body))).not.toContain(apiKey);

    // The tool result the model saw: the row, its sensitive column masked.
    const toolMessage = model.received[1]!.body.messages.find((message) => message.role === 'tool')!;
    expect(toolMessage.content).toContain('Ada Lovelace');
    expect(toolMessage.content).toContain('[REDACTED:sensitive]');
    expect(JSON.stringify(model.received)).not.toContain(TAX_ID);

    // Credits: the step, two requests, and 2,200 tokens at one credit per started thousand.
    expect(run.steps.map((step) => [step.nodeId, (step as { nodeType?: string }).nodeType, step.httpRequests, step.credits])).toEqual([['ask', 'llm', 2, 6]]);
    expect(run.output).toMatchObject({ prompt: 'Tell me about our customers', rounds: 2, tokens: 2200 });
    expect((run.output as { completion: string }).completion).toContain('[REDACTED:sensitive]');

    const stored = await (await api('GET', `/runs/${run.id}`)).text();
    for (const text of [stored, JSON.stringify(run), enclave.logs.join('\n')]) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(TAX_ID);
    }
  });

  it('[WFL-04] an incognito run stores no prompt or completion', async () => {
    const canary = `prompt-canary-${randomBytes(8).toString('hex')}`;
    const { workflow } = await createWorkflow(enclave, workspace, llmWorkflow('quiet agent', { tools: [] }));
    const before = model.received.length;
    const run = (await (await api('POST', `/workflows/${workflow.id}/runs`, { input: { topic: canary }, incognito: true })).json()) as RunBody;
    expect(run).toMatchObject({ status: 'succeeded', incognito: true, input: null, output: null });
    expect(run.steps.map((step) => [step.input, step.output])).toEqual([[null, null]]);
    // The provider did get the prompt: that is the call the step makes.
    expect(model.received.slice(before).map((request) => request.body.messages.at(-1)!.content)).toEqual([`Tell me about ${canary}`]);

    const platform = enclave.server.platform;
    platform.databases.open(workspace.id).audit.flush();
    platform.controlAudit.flush();
    const decrypted = [everyRow(platform.databases.open(workspace.id).db), everyRow(platform.controlDb)].join('\n');
    expect(decrypted).toContain(run.id);
    expect(decrypted).not.toContain(canary);
    expect(decrypted).not.toContain('no tools needed');
    expect(enclave.logs.join('\n')).not.toContain(canary);
  });

  it('[WFL-04] the node schema is strict: unknown fields, other providers and URLs with credentials are refused', async () => {
    for (const extra of [{ hosts: ['evil.example'] }, { provider: 'somewhere-else' }, { baseUrl: 'https://user:pass@api.example/v1' }, { credential: undefined }]) {
      const response = await api('POST', '/workflows', llmWorkflow(`bad ${randomBytes(3).toString('hex')}`, extra));
      expect(response.status).toBe(400);
    }
  });

  it('[WFL-04] the budget is checked before the step: a workspace that cannot cover a model round makes no call', async () => {
    const { workflow } = await createWorkflow(enclave, workspace, llmWorkflow('agent on a budget', { tools: [] }));
    const { workspace: usage } = (await (await api('GET', '/credits')).json()) as { workspace: { used: number } };
    expect((await api('PUT', '/credits/budget', { monthlyLimit: usage.used + 2 })).status).toBe(200);
    const before = model.received.length;
    const run = (await (await api('POST', `/workflows/${workflow.id}/runs`, { input: { topic: 'x' } })).json()) as RunBody;
    expect(run.status).toBe('budget_exceeded');
    expect(model.received.length).toBe(before);
    expect((await api('PUT', '/credits/budget', { monthlyLimit: null })).status).toBe(200);
  });
});

describe('LLM agent steps where private addresses are not allowed', () => {
  it('[WFL-04] plain http and private provider addresses are refused by the same guard as http.request, and the key is not sent', async () => {
    const enclave = await startTestServer();
    const model = await startModel();
    try {
      const workspace = await enclave.createWorkspace('Guarded');
      const api = (method: string, path: string, body?: unknown) => enclave.request(method, `/api/w/${workspace.id}${path}`, { token: workspace.token, body });
      const created = await api('POST', '/credentials', { name: 'model key', secret: { kind: 'bearer', token: 'sk-guarded' }, scopes: [{ workflow: 'guarded' }] });
      const credential = ((await created.json()) as { id: string }).id;
      const port = new URL(model.url).port;
      const results: [string | null, string | null][] = [];
      for (const baseUrl of [`http://127.0.0.1:${port}/v1`, `https://127.0.0.1:${port}/v1`]) {
        const body = { name: 'guarded', definition: { trigger: { type: 'manual' }, nodes: [{ id: 'ask', type: 'llm', provider: 'openai-compatible', baseUrl, model: 'fake-1', credential, prompt: 'hi' }] } };
        const { workflow } = await createWorkflow(enclave, workspace, body);
        const run = (await (await api('POST', `/workflows/${workflow.id}/runs`, {})).json()) as RunBody & { errorCode: string | null };
        results.push([run.status, run.errorCode]);
        expect((await api('DELETE', `/workflows/${workflow.id}`)).status).toBe(204);
      }
      expect(results).toEqual([['failed', 'insecure_base_url'], ['failed', 'private_address']]);
      expect(model.received).toHaveLength(0);
    } finally {
      await model.close();
      await enclave.close();
    }
  });
});
