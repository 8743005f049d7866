import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceEvents } from '../identity/audit.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { createWorkflow, webhookCodeTransform, type RunBody } from './fixtures.ts';

describe('workflow definitions, runs and credits', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Workflows');
  });
  afterAll(() => enclave.close());

  const api = (method: string, path: string, body?: unknown) => enclave.request(method, `/api/w/${workspace.id}${path}`, { token: workspace.token, body });

  it('[WFL-01] creates, versions and validates definitions; cycles, dangling edges and bad cron are refused with 400 and change nothing', async () => {
    const created = await createWorkflow(enclave, workspace, { name: 'orders', definition: webhookCodeTransform() });
    expect(created.workflow.version).toBe(1);
    expect(created.webhookSecret).toMatch(/^whsec_/);
    const id = created.workflow.id;

    const changed = webhookCodeTransform() as { nodes: { id: string; code?: string }[] };
    changed.nodes[0]!.code = 'return { order: input.order, total: 1 };';
    const patched = await api('PATCH', `/workflows/${id}`, { definition: changed });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { workflow: { version: number } }).workflow.version).toBe(2);
    const versions = (await (await api('GET', `/workflows/${id}/versions`)).json()) as { versions: { version: number }[] };
    expect(versions.versions.map((v) => v.version)).toEqual([2, 1]);
    // The secret is shown once: no read route carries it.
    const detail = await (await api('GET', `/workflows/${id}`)).text();
    expect(detail).not.toContain(created.webhookSecret!);

    const node = (nodeId: string) => ({ id: nodeId, type: 'transform', fields: { x: 'x' } });
    const refusals: [unknown, string][] = [
      [{ trigger: { type: 'manual' }, nodes: [node('a'), node('b')], edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }] }, 'workflow_cycle'],
      [{ trigger: { type: 'manual' }, nodes: [node('a')], edges: [{ from: 'a', to: 'a' }] }, 'workflow_cycle'],
      [{ trigger: { type: 'manual' }, nodes: [node('a')], edges: [{ from: 'a', to: 'ghost' }] }, 'workflow_dangling_edge'],
      [{ trigger: { type: 'manual' }, nodes: [{ id: 'b', type: 'branch', field: 'x', equals: 1, then: ['ghost'] }] }, 'workflow_dangling_edge'],
      [{ trigger: { type: 'manual' }, nodes: [node('a'), node('a')] }, 'workflow_duplicate_node'],
      [{ trigger: { type: 'schedule', cron: 'every tuesday-ish' }, nodes: [node('a')] }, 'invalid_request'],
      [{ trigger: { type: 'manual' }, nodes: [{ id: 'h', type: 'http', url: 'https://example.com' }] }, 'invalid_request'],
    ];
    for (const [definition, code] of refusals) {
      const response = await api('POST', '/workflows', { name: `bad ${code}`, definition });
      expect(response.status, code).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
      const update = await api('PATCH', `/workflows/${id}`, { definition });
      expect(update.status, code).toBe(400);
    }
    const list = (await (await api('GET', '/workflows')).json()) as { workflows: { id: string; version: number }[] };
    expect(list.workflows.map((w) => [w.id, w.version])).toEqual([[id, 2]]);
    const actions = workspaceEvents(enclave, workspace.id).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['workflow.create', 'workflow.update']));
    expect((await api('POST', '/workflows', { name: 'orders', definition: webhookCodeTransform() })).status).toBe(409);
  });

  it('[WFL-01] a branch runs only the side its condition chose, and a join gets both outputs keyed by node', async () => {
    const { workflow } = await createWorkflow(enclave, workspace, {
      name: 'routed',
      definition: {
        trigger: { type: 'manual' },
        nodes: [
          { id: 'check', type: 'branch', field: 'kind', equals: 'vip', then: ['vip'], else: ['plain'] },
          { id: 'vip', type: 'transform', fields: { vipName: 'name' } },
          { id: 'plain', type: 'transform', fields: { plainName: 'name' } },
          { id: 'tag', type: 'code', code: 'return { tagged: true };' },
          { id: 'join', type: 'code', code: 'return input;' },
        ],
        edges: [{ from: 'vip', to: 'join' }, { from: 'plain', to: 'join' }, { from: 'tag', to: 'join' }],
      },
    });
    const vip = (await (await api('POST', `/workflows/${workflow.id}/runs`, { input: { kind: 'vip', name: 'Ada' } })).json()) as RunBody;
    expect(vip.steps.map((step) => step.nodeId)).toEqual(['check', 'tag', 'vip', 'join']);
    expect(vip.output).toEqual({ tag: { tagged: true }, vip: { vipName: 'Ada' } });
    const plain = (await (await api('POST', `/workflows/${workflow.id}/runs`, { input: { kind: 'other', name: 'Bo' } })).json()) as RunBody;
    expect(plain.steps.map((step) => step.nodeId)).toEqual(['check', 'tag', 'plain', 'join']);
    expect(plain.output).toEqual({ plain: { plainName: 'Bo' }, tag: { tagged: true } });
  });

  it('[WFL-06] a manual run of webhook → code → transform records every step with redacted payloads and the version it ran', async () => {
    const canary = ['sk', 'live', randomBytes(16).toString('hex')].join('_');
    const { workflow } = await createWorkflow(enclave, workspace, { name: 'recorded', definition: webhookCodeTransform() });
    const response = await api('POST', `/workflows/${workflow.id}/runs`, { input: { order: 'A-17', quantity: 4, apiKey: canary } });
    expect(response.status).toBe(201);
    const run = (await response.json()) as RunBody;
    expect(run.status).toBe('succeeded');
    expect(run.version).toBe(1);
    expect(run.steps.map((step) => [step.nodeId, step.status, step.credits])).toEqual([['enrich', 'succeeded', 1], ['shape', 'succeeded', 1]]);
    expect(run.credits).toBe(2);
    expect((run.output as { orderId: string; total: number }).orderId).toBe('A-17');
    expect((run.output as { total: number }).total).toBe(12);
    expect((run.input as { order: string }).order).toBe('A-17');
    expect(JSON.stringify(run)).not.toContain(canary);

    const stored = (await (await api('GET', `/runs/${run.id}`)).json()) as RunBody;
    expect(stored.steps).toHaveLength(2);
    expect(JSON.stringify(stored)).not.toContain(canary);
    const { db } = enclave.server.platform.databases.open(workspace.id);
    const rows = JSON.stringify([db.prepare('SELECT * FROM workflow_run').all(), db.prepare('SELECT * FROM workflow_step').all()]);
    expect(rows).toContain('A-17');
    expect(rows).not.toContain(canary);

    const listed = (await (await api('GET', `/runs?workflowId=${workflow.id}&status=succeeded`)).json()) as { runs: { id: string }[] };
    expect(listed.runs.map((r) => r.id)).toEqual([run.id]);
    expect(((await (await api('GET', '/runs?status=failed')).json()) as { runs: unknown[] }).runs).toEqual([]);
    const audit = workspaceEvents(enclave, workspace.id).find((event) => event.action === 'workflow.run' && event.target_id === run.id);
    expect(JSON.parse(audit!.details)).toMatchObject({ status: 'succeeded', credits: 2, version: 1 });
  });

  it('[ACC-02] a run past the budget stops before the step, is marked budget_exceeded and audited; budgets are owner-only', async () => {
    const { workflow } = await createWorkflow(enclave, workspace, {
      name: 'budgeted',
      definition: {
        trigger: { type: 'manual' },
        nodes: [
          { id: 'one', type: 'code', code: 'return { n: 1 };' },
          { id: 'two', type: 'code', code: 'return { n: input.n + 1 };' },
          { id: 'three', type: 'code', code: 'return { n: input.n + 1 };' },
        ],
        edges: [{ from: 'one', to: 'two' }, { from: 'two', to: 'three' }],
      },
    });
    const adminKey = await enclave.addKey(workspace.id, 'admin');
    const refused = await enclave.request('PUT', `/api/w/${workspace.id}/credits/budget`, { token: adminKey, body: { monthlyLimit: 1 } });
    expect(refused.status).toBe(403);

    const used = ((await (await api('GET', '/credits')).json()) as { workspace: { used: number } }).workspace.used;
    expect((await api('PUT', '/credits/budget', { monthlyLimit: used + 2 })).status).toBe(200);
    const run = (await (await api('POST', `/workflows/${workflow.id}/runs`, { input: {} })).json()) as RunBody;
    expect(run.status).toBe('budget_exceeded');
    expect(run.errorCode).toBe('budget_exceeded');
    expect(run.steps.map((step) => step.nodeId)).toEqual(['one', 'two']);
    expect(run.credits).toBe(2);
    const audit = workspaceEvents(enclave, workspace.id).find((event) => event.action === 'workflow.run' && event.target_id === run.id);
    expect(audit!.outcome).toBe('denied');
    expect(JSON.parse(audit!.details)).toMatchObject({ status: 'budget_exceeded' });
    expect(workspaceEvents(enclave, workspace.id).some((event) => event.action === 'workflow.budget.set')).toBe(true);

    // A member budget binds the one who starts the run, even with the workspace budget lifted.
    expect((await api('PUT', '/credits/budget', { monthlyLimit: null })).status).toBe(200);
    const builderKey = await enclave.addKey(workspace.id, 'builder');
    const builderKeyId = enclave.server.platform.apiKeys.list(workspace.id).find((key) => key.role === 'builder')!.id;
    expect((await api('PUT', `/credits/budget/members/${builderKeyId}`, { monthlyLimit: 1 })).status).toBe(200);
    const byBuilder = (await (await enclave.request('POST', `/api/w/${workspace.id}/workflows/${workflow.id}/runs`, { token: builderKey, body: {} })).json()) as RunBody;
    expect(byBuilder.status).toBe('budget_exceeded');
    expect(byBuilder.steps.map((step) => step.nodeId)).toEqual(['one']);
    const byOwner = (await (await api('POST', `/workflows/${workflow.id}/runs`, {})).json()) as RunBody;
    expect(byOwner.status).toBe('succeeded');
    const credits = (await (await api('GET', '/credits')).json()) as { members: { memberId: string; used: number; monthlyLimit: number | null }[] };
    expect(credits.members.find((member) => member.memberId === builderKeyId)).toEqual({ memberId: builderKeyId, used: 1, monthlyLimit: 1 });
  });
});
