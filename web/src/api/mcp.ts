import type { EnclaveClient } from './client.ts';

/**
 * The MCP scope catalogue as the dashboard offers it when creating a personal token. It mirrors
 * src/mcp/scopes.ts (the web build does not reach into the server's sources); the browser test
 * test/browser/ai-clients.test.ts fails when the two drift apart.
 */
export const MCP_SCOPES = [
  { name: 'datasets:read', description: 'List and describe datasets and query their rows; sensitive columns stay masked' },
  { name: 'datasets:sql', description: 'Run read-only SQL (one SELECT) over the datasets; sensitive columns stay masked' },
] as const;

/** An AI client someone in this workspace allowed through the OAuth consent screen (AIC-02, AIC-06). */
export interface McpClient {
  id: string;
  clientId: string;
  clientName: string;
  /** Null once the person's account is gone. */
  userEmail: string | null;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

/** A personal MCP token as listed: its hint, never the token itself (AIC-05). */
export interface McpToken {
  id: string;
  name: string;
  scopes: string[];
  hint: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewMcpToken {
  name: string;
  scopes: string[];
  expiresAt?: string;
}

export interface CreatedMcpToken {
  mcpToken: McpToken;
  /** Shown once; the server keeps only its SHA-256. */
  token: string;
}

export async function mcpClients(client: EnclaveClient): Promise<McpClient[]> {
  return (await client.call<{ clients: McpClient[] }>('/mcp/clients')).clients;
}

export function revokeMcpClient(client: EnclaveClient, id: string): Promise<void> {
  return client.call<void>(`/mcp/clients/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export async function mcpTokens(client: EnclaveClient): Promise<McpToken[]> {
  return (await client.call<{ mcpTokens: McpToken[] }>('/mcp/tokens')).mcpTokens;
}

export function createMcpToken(client: EnclaveClient, input: NewMcpToken): Promise<CreatedMcpToken> {
  return client.call<CreatedMcpToken>('/mcp/tokens', { method: 'POST', body: input });
}

export function revokeMcpToken(client: EnclaveClient, id: string): Promise<void> {
  return client.call<void>(`/mcp/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Where AI clients connect: the Streamable HTTP endpoint on this same server. */
export function mcpEndpoint(): string {
  return `${window.location.origin}/mcp`;
}
