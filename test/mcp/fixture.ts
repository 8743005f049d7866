import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'vitest';
import type { Role } from '../../src/access/permissions.ts';
import type { TestServer, TestUser, TestWorkspace } from '../helpers/server.ts';

// Canaries: values that must leave the MCP endpoint only masked.
export const TAX_ID = 'TAXID-CANARY-7731';
export const SALARY = 123456.5;

export const CUSTOMERS = {
  name: 'customers',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'text' },
    { name: 'city', type: 'text' },
    { name: 'spend', type: 'real' },
    { name: 'tax_id', type: 'text', sensitive: true },
    { name: 'salary', type: 'real', sensitive: true },
  ],
  primaryKey: ['id'],
};

export const CITIES = ['Lyon', 'Oslo', 'Porto'];

/** 30 customers, 10 per city, spend = id. */
export function customerRows() {
  return Array.from({ length: 30 }, (_, index) => ({
    id: index + 1,
    name: `Customer ${index + 1}`,
    city: CITIES[index % 3]!,
    spend: index + 1,
    tax_id: `${TAX_ID}-${index + 1}`,
    salary: SALARY + index,
  }));
}

export async function createDataset(enclave: TestServer, workspace: TestWorkspace, dataset: { name: string; columns: unknown[]; primaryKey: string[] }, rows: unknown[]): Promise<void> {
  const created = await enclave.request('POST', `/api/w/${workspace.id}/datasets`, { token: workspace.token, body: dataset });
  expect(created.status).toBe(201);
  const batch = await enclave.request('POST', `/api/w/${workspace.id}/datasets/${dataset.name}/batches`, {
    token: workspace.token,
    body: { batchId: `fill-${dataset.name}`, upserts: rows, deletes: [] },
  });
  expect(batch.status).toBe(200);
}

export interface Person extends TestUser {
  cookie: string;
}

export async function member(enclave: TestServer, workspace: TestWorkspace, role: Role): Promise<Person> {
  const user = await enclave.createUser(`MCP ${role}`);
  await enclave.addMember(workspace.id, user, role);
  return { ...user, cookie: await enclave.signIn(user) };
}

/** Mints a personal MCP token through the API, as the dashboard does. */
export async function mintToken(enclave: TestServer, workspaceId: string, person: Person, scopes: string[] = ['datasets:read', 'datasets:sql']) {
  const response = await enclave.request('POST', `/api/w/${workspaceId}/mcp/tokens`, { cookie: person.cookie, body: { name: 'Claude', scopes } });
  expect(response.status).toBe(201);
  return (await response.json()) as { mcpToken: { id: string; hint: string; scopes: string[] }; token: string };
}

export interface McpSession {
  listTools(): Promise<string[]>;
  call(name: string, args: Record<string, unknown>): Promise<{ isError: boolean; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

function parsed(result: { isError?: boolean; content?: unknown }) {
  const content = result.content as { type: string; text: string }[];
  return { isError: result.isError === true, body: JSON.parse(content[0]!.text) as Record<string, unknown> };
}

/** A real client of the SDK generation asked for, holding the personal token as its bearer. */
export async function connect(enclave: TestServer, token: string, generation: 'v1' | 'v2'): Promise<McpSession> {
  const url = new URL('/mcp', enclave.url);
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  if (generation === 'v2') {
    const client = new ClientV2({ name: 'enclave-test-v2', version: '1.0.0' });
    await client.connect(new TransportV2(url, { requestInit }));
    return {
      listTools: async () => (await client.listTools()).tools.map((tool) => tool.name).sort(),
      call: async (name, args) => parsed(await client.callTool({ name, arguments: args })),
      close: () => client.close(),
    };
  }
  const client = new ClientV1({ name: 'enclave-test-v1', version: '1.0.0' });
  await client.connect(new TransportV1(url, { requestInit }));
  return {
    listTools: async () => (await client.listTools()).tools.map((tool) => tool.name).sort(),
    call: async (name, args) => parsed((await client.callTool({ name, arguments: args })) as { isError?: boolean; content?: unknown }),
    close: () => client.close(),
  };
}

/** A raw JSON-RPC POST to /mcp, for what SDK clients hide: statuses and headers. */
export function rawCall(enclave: TestServer, token: string | undefined, message: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL('/mcp', enclave.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: JSON.stringify(message),
  });
}

export function toolCall(name: string, args: Record<string, unknown>, id = 1) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}

export async function auditEvents(enclave: TestServer, workspace: TestWorkspace, action: string) {
  const response = await enclave.request('GET', `/api/w/${workspace.id}/audit-events?action=${action}&limit=1000`, { token: workspace.token });
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: { actor: { type: string; id: string }; outcome: string; details: Record<string, unknown> }[] }).events;
}
