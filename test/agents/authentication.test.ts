import { generateKeyPairSync, sign } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveWorkspaceKey } from '../../src/core/keyring.ts';
import { agentSigningKeys } from '../../src/agents/tokens.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { workspaceEvents } from '../identity/audit.ts';
import { answerChallenge, newAgentKey, pairAgent, type TestAgent } from './agent.ts';

const errorCode = async (response: Response) => ((await response.json()) as { error?: { code?: string } }).error?.code;

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('agent access tokens from signed challenges', () => {
  let enclave: TestServer;
  let alpha: TestWorkspace;
  let beta: TestWorkspace;
  let agent: TestAgent;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1_000 } });
    alpha = await enclave.createWorkspace('Alpha');
    beta = await enclave.createWorkspace('Beta');
    agent = await pairAgent(enclave, alpha);
  });
  afterAll(() => enclave.close());

  /** A workspace route any agent may call: the list of datasets. */
  const datasets = (workspaceId: string, token: string) => enclave.request('GET', `/api/w/${workspaceId}/datasets`, { token });

  it('[AGT-02] a signed challenge buys a 10-minute EdDSA JWT bound to the workspace sync API, which the agent then uses', async () => {
    const answer = await agent.renew();
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { accessToken: string; tokenType: string; expiresIn: number; workspaceId: string };
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 600, workspaceId: alpha.id });
    const header = JSON.parse(Buffer.from(body.accessToken.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header.alg).toBe('EdDSA');
    const payload = claims(body.accessToken);
    expect(payload.sub).toBe(agent.id);
    expect(payload.aud).toBe(`urn:enclave:workspace:${alpha.id}:sync`);
    expect((payload.exp as number) - (payload.iat as number)).toBe(600);
    expect((await datasets(alpha.id, body.accessToken)).status).toBe(200);
    // Neither the token nor its signature is ever written to the log.
    const logs = enclave.logs.join('\n');
    expect(logs).not.toContain(body.accessToken.split('.')[2]);
    expect(logs).not.toContain(body.accessToken.split('.')[1]);
  });

  it('[AGT-02] a challenge is single-use and must be signed by the paired key', async () => {
    const challenge = (await (await enclave.request('POST', '/api/agents/challenge', { body: { agentId: agent.id } })).json()) as { nonce: string };
    const message = Buffer.from(`enclave-agent-challenge:v1\n${agent.id}\n${challenge.nonce}`, 'utf8');
    const intruder = generateKeyPairSync('ed25519').privateKey;
    const forged = await enclave.request('POST', '/api/agents/token', { body: { agentId: agent.id, nonce: challenge.nonce, signature: sign(null, message, intruder).toString('base64url') } });
    expect(forged.status).toBe(401);
    expect(await errorCode(forged)).toBe('agent_authentication_failed');
    // The forged attempt spent the nonce: even the right signature for it is refused now.
    const late = await enclave.request('POST', '/api/agents/token', { body: { agentId: agent.id, nonce: challenge.nonce, signature: sign(null, message, agent.privateKey).toString('base64url') } });
    expect(late.status).toBe(401);

    const fresh = (await (await enclave.request('POST', '/api/agents/challenge', { body: { agentId: agent.id } })).json()) as { nonce: string };
    const good = sign(null, Buffer.from(`enclave-agent-challenge:v1\n${agent.id}\n${fresh.nonce}`, 'utf8'), agent.privateKey).toString('base64url');
    expect((await enclave.request('POST', '/api/agents/token', { body: { agentId: agent.id, nonce: fresh.nonce, signature: good } })).status).toBe(200);
    expect((await enclave.request('POST', '/api/agents/token', { body: { agentId: agent.id, nonce: fresh.nonce, signature: good } })).status).toBe(401);
    const failures = workspaceEvents(enclave, alpha.id).filter((event) => event.action === 'agent.authenticate' && event.outcome === 'failure');
    expect(failures.map((event) => event.actor_id)).toContain(agent.id);
  });

  it('[AGT-02] challenges asked for in the agent\'s name by someone else do not displace the one it is answering', async () => {
    const mine = (await (await enclave.request('POST', '/api/agents/challenge', { body: { agentId: agent.id } })).json()) as { nonce: string };
    for (let index = 0; index < 5; index++) await enclave.request('POST', '/api/agents/challenge', { body: { agentId: agent.id } });
    const signature = sign(null, Buffer.from(`enclave-agent-challenge:v1\n${agent.id}\n${mine.nonce}`, 'utf8'), agent.privateKey).toString('base64url');
    expect((await enclave.request('POST', '/api/agents/token', { body: { agentId: agent.id, nonce: mine.nonce, signature } })).status).toBe(200);
  });

  it("[AGT-02] a JWT is refused in another workspace, even one minted under that workspace's key", async () => {
    const token = await agent.accessToken();
    const elsewhere = await datasets(beta.id, token);
    expect(elsewhere.status).toBe(401);
    expect(await errorCode(elsewhere)).toBe('invalid_token');

    // A token for Beta's sync API (Beta's key, Beta's audience) naming Alpha's agent: the agent belongs to Alpha, so it is no good anywhere.
    const platform = enclave.server.platform;
    const betaKeys = agentSigningKeys(deriveWorkspaceKey(platform.workspaces.seedOf(beta.id)!, beta.id, 'agent-signing'));
    const now = Math.floor(Date.now() / 1000);
    const minted = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
      .setIssuer('urn:enclave')
      .setAudience(`urn:enclave:workspace:${beta.id}:sync`)
      .setSubject(agent.id)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(betaKeys.privateKey);
    for (const workspaceId of [alpha.id, beta.id]) {
      const answer = await datasets(workspaceId, minted);
      expect(answer.status, workspaceId).toBe(401);
      expect(await errorCode(answer)).toBe('invalid_token');
    }
  });

  it('[AGT-02] a JWT signed by another key, an unsigned one and a tampered one are refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claimsFor = () =>
      new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' }).setIssuer('urn:enclave').setAudience(`urn:enclave:workspace:${alpha.id}:sync`).setSubject(agent.id).setIssuedAt(now).setExpirationTime(now + 600);
    const foreign = await claimsFor().sign(generateKeyPairSync('ed25519').privateKey);
    const genuine = await agent.accessToken();
    const [header, payload, signature] = genuine.split('.') as [string, string, string];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
    const widened = Buffer.from(JSON.stringify({ ...claims(genuine), exp: now + 86_400 })).toString('base64url');
    for (const token of [foreign, none, `${header}.${widened}.${signature}`, `${header}.${payload}.${'A'.repeat(86)}`]) {
      const answer = await datasets(alpha.id, token);
      expect(answer.status).toBe(401);
      expect(await errorCode(answer)).toBe('invalid_token');
    }
  });

  it('[AGT-02] a revoked agent fails on its next request and its next renewal', async () => {
    const doomed = await pairAgent(enclave, alpha, 'doomed');
    const token = await doomed.accessToken();
    expect((await datasets(alpha.id, token)).status).toBe(200);
    expect((await enclave.request('DELETE', `/api/w/${alpha.id}/agents/${doomed.id}`, { token: alpha.token })).status).toBe(204);
    const next = await datasets(alpha.id, token);
    expect(next.status).toBe(401);
    expect(await errorCode(next)).toBe('invalid_token');
    const renewal = await doomed.renew();
    expect(renewal.status).toBe(401);
    expect(await errorCode(renewal)).toBe('agent_authentication_failed');
    // The agent list keeps it, marked revoked.
    const listed = enclave.server.platform.agents.list(alpha.id).find((candidate) => candidate.id === doomed.id);
    expect(listed?.revokedAt).not.toBeNull();
  });

  it('[AGT-02] an agent acts with the agent-only role: it cannot read rows or manage agents', async () => {
    const token = await agent.accessToken();
    await enclave.request('POST', `/api/w/${alpha.id}/datasets`, { token: alpha.token, body: { name: 'ledger', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] } });
    for (const [method, path] of [
      ['GET', '/datasets/ledger/rows'],
      ['DELETE', '/datasets/ledger'],
      ['GET', '/agents'],
      ['POST', '/agents/pairing-tokens'],
      ['GET', '/members'],
    ] as const) {
      const answer = await enclave.request(method, `/api/w/${alpha.id}${path}`, { token, ...(method === 'POST' ? { body: {} } : {}) });
      expect(answer.status, `${method} ${path}`).toBe(403);
    }
  });

  it('[AGT-02] a challenge for an unknown agent looks the same but can never be answered', async () => {
    const unknownId = `agt_${'0'.repeat(32)}`;
    const challenge = await enclave.request('POST', '/api/agents/challenge', { body: { agentId: unknownId } });
    expect(challenge.status).toBe(200);
    const answer = await answerChallenge(enclave, unknownId, newAgentKey().privateKey);
    expect(answer.status).toBe(401);
    expect((await enclave.request('POST', '/api/agents/challenge', { body: { agentId: "agt_' OR 1=1 --" } })).status).toBe(400);
  });
});

describe('an expired agent token', () => {
  let enclave: TestServer;

  beforeAll(async () => {
    enclave = await startTestServer({ agents: { accessTokenSeconds: 1 } });
  });
  afterAll(() => enclave.close());

  it('[AGT-02] a JWT past its (configured) lifetime is refused, and the agent renews without the pairing token', async () => {
    const workspace = await enclave.createWorkspace('Short tokens');
    const agent = await pairAgent(enclave, workspace);
    const token = await agent.accessToken();
    await sleep(2_100);
    const expired = await enclave.request('GET', `/api/w/${workspace.id}/datasets`, { token });
    expect(expired.status).toBe(401);
    expect(await errorCode(expired)).toBe('invalid_token');
    const renewed = await agent.accessToken();
    expect((await enclave.request('GET', `/api/w/${workspace.id}/datasets`, { token: renewed })).status).toBe(200);
  });
});
