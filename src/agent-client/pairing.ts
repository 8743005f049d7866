import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { HttpClient, pair } from './client.ts';
import { type AgentIdentity, identityPath, writeIdentity } from './state.ts';

export class PairingError extends Error {
  override name = 'PairingError';
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The server's base URL. Plain http only to this machine unless explicitly allowed: the
 * pairing token and every access token travel in these requests.
 */
export function serverUrl(raw: string, allowHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PairingError('--server must be a URL such as https://enclave.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PairingError('--server must be an https:// URL');
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname) && !allowHttp) {
    throw new PairingError('--server uses plain http to another machine, which would expose the pairing and access tokens: use https (or --allow-http on a network you trust)');
  }
  if (url.username || url.password || url.search || url.hash) throw new PairingError('--server is the base URL only (no credentials, query or fragment)');
  return url.origin;
}

/**
 * AGT-01 from the agent's side: a new Ed25519 key pair made here (the private key never
 * leaves this machine), the public half and the one-time pairing token sent to the server,
 * and the identity it answers with stored beside the private key (0600).
 */
export async function pairAgent(input: { server: string; token: string; name: string; stateDir: string; force: boolean }): Promise<AgentIdentity> {
  if (existsSync(identityPath(input.stateDir)) && !input.force) {
    throw new PairingError(`${input.stateDir} already holds a paired agent: pass --force to replace it (the old agent stays paired until an admin revokes it)`);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const http = new HttpClient(input.server, { retry: { attempts: 3, baseDelayMs: 1000, maxDelayMs: 5000 } });
  const { agentId, workspaceId } = await pair(http, { token: input.token, publicKey: { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) }, name: input.name });
  const identity: AgentIdentity = {
    version: 1,
    server: input.server,
    agentId,
    workspaceId,
    name: input.name,
    pairedAt: new Date().toISOString(),
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
  writeIdentity(input.stateDir, identity);
  return identity;
}
