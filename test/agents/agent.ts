import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { TestServer } from '../helpers/server.ts';

/**
 * Plays a sync agent over real HTTP with its own node:crypto Ed25519 key, the way the
 * reference agent does: pair once, then sign a fresh challenge for every access token.
 */
export interface TestAgent {
  id: string;
  workspaceId: string;
  privateKey: KeyObject;
  /** A fresh access token through challenge → signed answer → token. */
  accessToken(): Promise<string>;
  /** The raw token answer, for tests of refusals. */
  renew(): Promise<Response>;
}

export function newAgentKey(): { privateKey: KeyObject; jwk: { kty: string; crv: string; x: string } } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  return { privateKey, jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } };
}

/** An owner's API key mints a pairing token through the workspace API. */
export async function pairingToken(enclave: TestServer, workspace: { id: string; token: string }): Promise<string> {
  const response = await enclave.request('POST', `/api/w/${workspace.id}/agents/pairing-tokens`, { token: workspace.token, body: { name: 'test machine' } });
  if (response.status !== 201) throw new Error(`pairing token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export async function answerChallenge(enclave: TestServer, agentId: string, privateKey: KeyObject): Promise<Response> {
  const challenge = await enclave.request('POST', '/api/agents/challenge', { body: { agentId } });
  const { nonce } = (await challenge.json()) as { nonce: string };
  const signature = sign(null, Buffer.from(`enclave-agent-challenge:v1\n${agentId}\n${nonce}`, 'utf8'), privateKey).toString('base64url');
  return enclave.request('POST', '/api/agents/token', { body: { agentId, nonce, signature } });
}

export async function pairAgent(enclave: TestServer, workspace: { id: string; token: string }, name = 'test agent'): Promise<TestAgent> {
  const { privateKey, jwk } = newAgentKey();
  const response = await enclave.request('POST', '/api/agents/pair', { body: { token: await pairingToken(enclave, workspace), publicKey: jwk, name } });
  if (response.status !== 201) throw new Error(`pair: ${response.status} ${await response.text()}`);
  const { agentId, workspaceId } = (await response.json()) as { agentId: string; workspaceId: string };
  const renew = () => answerChallenge(enclave, agentId, privateKey);
  return {
    id: agentId,
    workspaceId,
    privateKey,
    renew,
    async accessToken() {
      const answer = await renew();
      if (answer.status !== 200) throw new Error(`token: ${answer.status} ${await answer.text()}`);
      return ((await answer.json()) as { accessToken: string }).accessToken;
    },
  };
}
