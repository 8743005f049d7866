import type { EnclaveClient } from './client.ts';

/** A pairing token not yet used: never the token itself, which only its creation answer holds. */
export interface PairingToken {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string;
}

export interface CreatedPairingToken {
  pairingToken: PairingToken;
  /** Shown once; the server keeps only its SHA-256. */
  token: string;
}

export interface Agent {
  id: string;
  name: string;
  pairedAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
}

export async function pairingTokens(client: EnclaveClient): Promise<PairingToken[]> {
  return (await client.call<{ pairingTokens: PairingToken[] }>('/agents/pairing-tokens')).pairingTokens;
}

/** Without a name the server calls the token "agent". */
export function createPairingToken(client: EnclaveClient, name: string | undefined): Promise<CreatedPairingToken> {
  return client.call<CreatedPairingToken>('/agents/pairing-tokens', { method: 'POST', body: name === undefined ? {} : { name } });
}

export function deletePairingToken(client: EnclaveClient, id: string): Promise<void> {
  return client.call<void>(`/agents/pairing-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export async function agents(client: EnclaveClient): Promise<Agent[]> {
  return (await client.call<{ agents: Agent[] }>('/agents')).agents;
}

export function revokeAgent(client: EnclaveClient, id: string): Promise<void> {
  return client.call<void>(`/agents/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
