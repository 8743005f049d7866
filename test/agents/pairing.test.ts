import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpired } from '../../src/platform/expiry-sweeper.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { workspaceEvents } from '../identity/audit.ts';
import { newAgentKey, pairingToken } from './agent.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('pairing an agent with a single-use token', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1_000 } });
    workspace = await enclave.createWorkspace('Pairing');
  });
  afterAll(() => enclave.close());

  const pair = (token: string, name = 'ledger pc') => enclave.request('POST', '/api/agents/pair', { body: { token, publicKey: newAgentKey().jwk, name } });

  it('[AGT-01] a pairing token works once: the second use fails and only one agent exists', async () => {
    const token = await pairingToken(enclave, workspace);
    const first = await pair(token);
    expect(first.status).toBe(201);
    const paired = (await first.json()) as { agentId: string; workspaceId: string };
    expect(paired.workspaceId).toBe(workspace.id);
    expect(paired.agentId).toMatch(/^agt_[0-9a-f]{32}$/);

    const second = await pair(token, 'intruder');
    expect(second.status).toBe(401);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('invalid_pairing_token');
    const agents = (await (await enclave.request('GET', `/api/w/${workspace.id}/agents`, { token: workspace.token })).json()) as { agents: { id: string; name: string }[] };
    expect(agents.agents.map((agent) => agent.id)).toEqual([paired.agentId]);
  });

  it('[AGT-01] agents racing with one token: exactly one is paired', async () => {
    const token = await pairingToken(enclave, workspace);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, index) => pair(token, `racer ${index}`)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 401, 401, 401, 401, 401, 401, 401]);
  });

  it('[AGT-01] the database holds only the hash of a pairing token, and listings never show it again', async () => {
    const created = await enclave.request('POST', `/api/w/${workspace.id}/agents/pairing-tokens`, { token: workspace.token, body: { name: 'warehouse' } });
    expect(created.status).toBe(201);
    const { token, pairingToken: meta } = (await created.json()) as { token: string; pairingToken: { id: string; expiresAt: string; createdAt: string } };
    expect(token).toMatch(/^enp_[A-Za-z0-9_-]{43}$/);
    // 30 days by default.
    expect(Date.parse(meta.expiresAt) - Date.parse(meta.createdAt)).toBe(30 * 86_400_000);

    const rows = enclave.server.platform.controlDb.prepare('SELECT * FROM agent_pairing_token WHERE id = ?').all(meta.id) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(sha256(token));
    const secret = token.slice(4);
    expect(JSON.stringify(rows)).not.toContain(secret);

    const listing = await (await enclave.request('GET', `/api/w/${workspace.id}/agents/pairing-tokens`, { token: workspace.token })).text();
    expect(listing).toContain(meta.id);
    expect(listing).not.toContain(secret);
    expect(enclave.logs.join('\n')).not.toContain(secret);
  });

  it('[AGT-01] unknown and malformed tokens and keys are refused and change nothing', async () => {
    const before = enclave.server.platform.agents.list(workspace.id).length;
    expect((await pair(`enp_${'A'.repeat(43)}`)).status).toBe(401);
    expect((await pair('not-a-token')).status).toBe(401);
    const token = await pairingToken(enclave, workspace);
    const badKey = await enclave.request('POST', '/api/agents/pair', { body: { token, publicKey: { kty: 'OKP', crv: 'X25519', x: 'A'.repeat(43) }, name: 'x' } });
    expect(badKey.status).toBe(400);
    expect(enclave.server.platform.agents.list(workspace.id)).toHaveLength(before);
    // The refused key did not spend the token.
    expect((await pair(token)).status).toBe(201);
  });

  it('[AGT-01] a deleted pairing token no longer pairs', async () => {
    const created = (await (await enclave.request('POST', `/api/w/${workspace.id}/agents/pairing-tokens`, { token: workspace.token, body: {} })).json()) as { token: string; pairingToken: { id: string } };
    const deleted = await enclave.request('DELETE', `/api/w/${workspace.id}/agents/pairing-tokens/${created.pairingToken.id}`, { token: workspace.token });
    expect(deleted.status).toBe(204);
    expect((await pair(created.token)).status).toBe(401);
  });

  it('[AGT-01] creating tokens, pairing and revoking are audited in the workspace log', async () => {
    const token = await pairingToken(enclave, workspace);
    const { agentId } = (await (await pair(token)).json()) as { agentId: string };
    expect((await enclave.request('DELETE', `/api/w/${workspace.id}/agents/${agentId}`, { token: workspace.token })).status).toBe(204);
    expect((await enclave.request('DELETE', `/api/w/${workspace.id}/agents/${agentId}`, { token: workspace.token })).status).toBe(404);
    const events = workspaceEvents(enclave, workspace.id);
    const actions = events.map((event) => event.action);
    expect(actions).toContain('agent.pairing_token_create');
    expect(events.find((event) => event.action === 'agent.pair' && event.target_id === agentId)?.actor_type).toBe('agent');
    expect(events.find((event) => event.action === 'agent.revoke' && event.target_id === agentId)?.outcome).toBe('success');
    expect(JSON.stringify(events)).not.toContain(token.slice(4));
  });
});

describe('an expired pairing token', () => {
  let enclave: TestServer;

  beforeAll(async () => {
    // The server's own sweeper waits a day, so only the sweep below removes the expired token.
    enclave = await startTestServer({ agents: { pairingTokenSeconds: 1 }, expirySweepSeconds: 86_400 });
  });
  afterAll(() => enclave.close());

  it('[AGT-01] a pairing token past its (configured) lifetime fails', async () => {
    const workspace = await enclave.createWorkspace('Short lived');
    const token = await pairingToken(enclave, workspace);
    await sleep(1_200);
    const answer = await enclave.request('POST', '/api/agents/pair', { body: { token, publicKey: newAgentKey().jwk, name: 'late' } });
    expect(answer.status).toBe(401);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('invalid_pairing_token');
    expect(enclave.server.platform.agents.list(workspace.id)).toEqual([]);
    // The expiry sweeper then removes it.
    const swept = sweepExpired(enclave.server.platform.controlDb, { now: new Date(), forgetFailuresAfterSeconds: 900 });
    expect(swept.agentPairingTokens).toBeGreaterThanOrEqual(1);
    expect(enclave.server.platform.agents.listPairingTokens(workspace.id)).toEqual([]);
  });

  it('[AGT-01] the configured lifetime cannot exceed 30 days', async () => {
    const { loadConfig } = await import('../../src/core/config.ts');
    expect(() => loadConfig({ env: {}, flags: { agents: { pairingTokenSeconds: 31 * 86_400 } } })).toThrow(/pairingTokenSeconds/);
  });
});
