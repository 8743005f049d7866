import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentTargets } from '../agents/fixtures.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

describe('a key of workspace A never reaches workspace B', () => {
  let enclave: TestServer;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let bKeyId: string;
  let bScimTokenId: string;
  let bAgents: Awaited<ReturnType<typeof agentTargets>>;
  let bWorkflowId: string;
  let bRunId: string;
  let bMcpToken: { id: string; userId: string };

  beforeAll(async () => {
    enclave = await startTestServer();
    a = await enclave.createWorkspace('Alpha');
    b = await enclave.createWorkspace('Beta');
    await enclave.request('PATCH', `/api/w/${b.id}/profile`, { token: b.token, body: { description: 'beta secret plans' } });
    bKeyId = enclave.server.platform.apiKeys.list(b.id)[0]!.id;
    bScimTokenId = (await enclave.server.platform.scim.tokens.create(b.id, { name: 'beta idp' }, { actor: { type: 'operator', id: 'test' } })).scimToken.id;
    await enclave.request('POST', `/api/w/${b.id}/sso/domains`, { token: b.token, body: { domain: 'beta-owned.test' } });
    bAgents = await agentTargets(enclave, b.id);
    await enclave.request('POST', `/api/w/${b.id}/datasets/target/batches`, { token: b.token, body: { batchId: 'beta-1', upserts: [{ id: 1 }] } });
    const workflow = (await (
      await enclave.request('POST', `/api/w/${b.id}/workflows`, {
        token: b.token,
        body: { name: 'beta flow', definition: { trigger: { type: 'webhook' }, nodes: [{ id: 'pick', type: 'transform', fields: { plans: 'plans' } }] } },
      })
    ).json()) as { workflow: { id: string } };
    bWorkflowId = workflow.workflow.id;
    const run = (await (await enclave.request('POST', `/api/w/${b.id}/workflows/${bWorkflowId}/runs`, { token: b.token, body: { input: { plans: 'beta secret plans' } } })).json()) as { id: string };
    bRunId = run.id;
    const bPerson = await enclave.createUser('Beta person');
    await enclave.addMember(b.id, bPerson, 'viewer');
    const minted = await enclave.server.platform.mcpTokens.create(b.id, bPerson.id, { name: 'beta ai', scopes: ['datasets:read'] }, { actor: { type: 'operator', id: 'test' } });
    bMcpToken = { id: minted.mcpToken.id, userId: bPerson.id };
  });
  afterAll(() => enclave.close());

  it('[ACC-03] every workspace route answers 404 for another workspace id in the path, and B is unchanged', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', ''],
      ['GET', '/profile'],
      ['PATCH', '/profile', { description: 'overwritten by A' }],
      ['GET', '/api-keys'],
      ['POST', '/api-keys', { name: 'backdoor', role: 'owner' }],
      ['DELETE', `/api-keys/${bKeyId}`],
      ['GET', '/audit-events'],
      ['GET', '/audit-events/verification'],
      ['GET', '/audit/export'],
      ['GET', '/scim/tokens'],
      ['POST', '/scim/tokens', { name: 'backdoor' }],
      ['DELETE', `/scim/tokens/${bScimTokenId}`],
      ['GET', '/sso'],
      ['POST', '/sso/domains', { domain: 'alpha-claims.test' }],
      ['POST', '/sso/domains/beta-owned.test/verify'],
      ['DELETE', '/sso/domains/beta-owned.test'],
      ['POST', '/sso/domains/beta-owned.test/connections', { protocol: 'oidc', issuer: 'https://idp.alpha.test', clientId: 'a', clientSecret: 'a', defaultRole: 'admin' }],
      ['GET', '/datasets'],
      ['POST', '/datasets', { name: 'planted', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] }],
      ['GET', '/datasets/target'],
      ['POST', '/datasets/target/columns', { columns: [{ name: 'planted', type: 'text' }] }],
      ['GET', '/datasets/target/rows'],
      ['POST', '/datasets/target/batches', { batchId: 'from-alpha', upserts: [{ id: 2 }], deletes: [{ id: 1 }] }],
      ['DELETE', '/datasets/target'],
      ['GET', '/agents'],
      ['DELETE', `/agents/${bAgents.agentId}`],
      ['GET', '/agents/pairing-tokens'],
      ['POST', '/agents/pairing-tokens', { name: 'backdoor' }],
      ['DELETE', `/agents/pairing-tokens/${bAgents.pairingTokenId}`],
      ['GET', '/export'],
      ['GET', '/workflows'],
      ['POST', '/workflows', { name: 'planted', definition: { trigger: { type: 'manual' }, nodes: [{ id: 'a', type: 'transform', fields: { a: 'a' } }] } }],
      ['GET', `/workflows/${bWorkflowId}`],
      ['PATCH', `/workflows/${bWorkflowId}`, { enabled: false }],
      ['GET', `/workflows/${bWorkflowId}/versions`],
      ['POST', `/workflows/${bWorkflowId}/webhook-secret`],
      ['POST', `/workflows/${bWorkflowId}/runs`, { input: {} }],
      ['DELETE', `/workflows/${bWorkflowId}`],
      ['GET', '/runs'],
      ['GET', `/runs/${bRunId}`],
      ['GET', '/credits'],
      ['PUT', '/credits/budget', { monthlyLimit: 0 }],
      ['PUT', `/credits/budget/members/${bKeyId}`, { monthlyLimit: 0 }],
      ['GET', '/mcp/tokens'],
      ['POST', '/mcp/tokens', { name: 'backdoor', scopes: ['datasets:read', 'datasets:sql'] }],
      ['DELETE', `/mcp/tokens/${bMcpToken.id}`],
    ];
    for (const [method, path, body] of routes) {
      const response = await enclave.request(method, `/api/w/${b.id}${path}`, { token: a.token, body });
      expect(response.status, `${method} ${path}`).toBe(404);
      const text = await response.text();
      expect(text).not.toContain('beta secret plans');
      expect(text).not.toContain('Beta');
    }
    const profile = (await (await enclave.request('GET', `/api/w/${b.id}/profile`, { token: b.token })).json()) as { description: string };
    expect(profile.description).toBe('beta secret plans');
    expect(enclave.server.platform.apiKeys.list(b.id).every((k) => k.revokedAt === null && k.name !== 'backdoor')).toBe(true);
    expect(enclave.server.platform.scim.tokens.list(b.id).map((token) => [token.name, token.revokedAt])).toEqual([['beta idp', null]]);
    expect(enclave.server.platform.sso.domains.list(b.id).map((domain) => domain.domain)).toEqual(['beta-owned.test']);
    const platform = enclave.server.platform;
    expect(platform.datasets.list(b.id).map((dataset) => [dataset.name, dataset.columns.length])).toEqual([['target', 1]]);
    expect(platform.datasets.rows(b.id, 'target', { limit: 10 }).rows).toEqual([{ id: 1 }]);
    expect(platform.agents.list(b.id).map((agent) => [agent.id, agent.revokedAt])).toEqual([[bAgents.agentId, null]]);
    expect(platform.agents.listPairingTokens(b.id).map((token) => token.id)).toEqual([bAgents.pairingTokenId]);
    expect(platform.workflows.list(b.id).map((workflow) => [workflow.id, workflow.enabled, workflow.version])).toEqual([[bWorkflowId, true, 1]]);
    expect(platform.workflowRuns.list(b.id, { limit: 10 }).map((run) => run.id)).toEqual([bRunId]);
    expect(platform.workflowRuns.credits(b.id).workspace.monthlyLimit).toBeNull();
    expect(platform.mcpTokens.list(b.id, bMcpToken.userId).map((token) => [token.id, token.revokedAt])).toEqual([[bMcpToken.id, null]]);
  });

  it('[ACC-03] a workspace id in the body or query is ignored in favour of the key and path', async () => {
    const response = await enclave.request('PATCH', `/api/w/${a.id}/profile?workspaceId=${b.id}`, {
      token: a.token,
      body: { description: 'alpha only', workspaceId: b.id },
    });
    expect(response.status).toBe(400);
    const viaQuery = await enclave.request('GET', `/api/w/${a.id}/audit-events?workspaceId=${b.id}`, { token: a.token });
    expect(viaQuery.status).toBe(400);
    const profile = (await (await enclave.request('GET', `/api/w/${b.id}/profile`, { token: b.token })).json()) as { description: string };
    expect(profile.description).toBe('beta secret plans');
  });

  it("[ACC-03] A's audit cursor cannot page into B's events", async () => {
    const response = await enclave.request('GET', `/api/w/${a.id}/audit-events?after=0&limit=1000`, { token: a.token });
    const { events } = (await response.json()) as { events: { target: { id: string } | null }[] };
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.target?.id !== b.id)).toBe(true);
  });

  it('[ACC-03] path tricks never open a file outside the workspace layout', async () => {
    for (const id of ['..', '..%2F..%2Fcontrol', 'ws_../../control', `${b.id}%00`, 'ws_ZZZZ']) {
      const response = await enclave.request('GET', `/api/w/${id}/profile`, { token: a.token });
      expect([400, 404]).toContain(response.status);
    }
  });
});
