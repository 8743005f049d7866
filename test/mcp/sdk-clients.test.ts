import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browseConsent, loopbackRedirect, TestOAuthClient } from '../helpers/mcp-oauth.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let enclave: TestServer;
let redirect: Awaited<ReturnType<typeof loopbackRedirect>>;
let cookie: string;
let workspaceId: string;

interface QueryPage {
  rows: Record<string, unknown>[];
  more: boolean;
}

/** What either SDK generation exposes: the two clients share the calls the test makes. */
interface McpClient {
  connect(transport: unknown): Promise<void>;
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(request: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

interface Generation {
  name: string;
  client(): McpClient;
  transport(url: URL, authProvider: TestOAuthClient): { finishAuth(code: string, iss?: string): Promise<void> };
}

const GENERATIONS: Generation[] = [
  {
    name: '@modelcontextprotocol/sdk 1.x',
    client: () => new ClientV1({ name: 'sdk-v1-test', version: '1.0.0' }) as unknown as McpClient,
    transport: (url, authProvider) => new TransportV1(url, { authProvider: authProvider as never }),
  },
  {
    name: '@modelcontextprotocol/client 2.x',
    client: () => new ClientV2({ name: 'sdk-v2-test', version: '1.0.0' }) as unknown as McpClient,
    transport: (url, authProvider) => new TransportV2(url, { authProvider: authProvider as never }),
  },
];

beforeAll(async () => {
  enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 200 } });
  redirect = await loopbackRedirect();
  const person = await enclave.createUser();
  cookie = await enclave.signIn(person);
  const created = await enclave.request('POST', '/api/workspaces', { cookie, body: { name: 'Fabrikam' } });
  workspaceId = ((await created.json()) as { id: string }).id;
  const columns = [
    { name: 'id', type: 'text', nullable: false },
    { name: 'customer', type: 'text' },
    { name: 'amount', type: 'real' },
    { name: 'iban', type: 'text', sensitive: true },
  ];
  await enclave.request('POST', `/api/w/${workspaceId}/datasets`, { cookie, body: { name: 'invoices', columns, primaryKey: ['id'] } });
  const upserts = Array.from({ length: 30 }, (_, i) => ({ id: `inv-${String(i).padStart(3, '0')}`, customer: `customer ${i % 4}`, amount: i * 10, iban: `DE89370400440532013${String(i).padStart(3, '0')}` }));
  const batch = await enclave.request('POST', `/api/w/${workspaceId}/datasets/invoices/batches`, { cookie, body: { batchId: 'seed', upserts } });
  expect(batch.status).toBe(200);
});

afterAll(async () => {
  await redirect?.close();
  await enclave?.close();
});

describe('the official MCP TypeScript SDK clients', () => {
  for (const generation of GENERATIONS) {
    it(`[AIC-02] ${generation.name} discovers the server, registers, authorizes with PKCE, lists the tools and calls the query tool`, async () => {
      const url = new URL(`${enclave.url}/mcp`);
      const provider = new TestOAuthClient({ redirectUrl: redirect.url, name: generation.name });
      // No token yet: the transport meets the 401, discovers, registers and sends the person to the consent page.
      const first = generation.transport(url, provider);
      await expect(generation.client().connect(first)).rejects.toThrow();
      expect(provider.authorizationUrl).toBeDefined();
      const consent = await browseConsent(enclave.url, cookie, provider.authorizationUrl!, { decision: 'allow', workspaceId });
      expect(consent.details.client.name).toBe(generation.name);
      const code = consent.redirectedTo.searchParams.get('code');
      expect(code).toBeTruthy();
      await first.finishAuth(code!, consent.redirectedTo.searchParams.get('iss') ?? undefined);

      const client = generation.client();
      await client.connect(generation.transport(url, provider));
      const { tools } = await client.listTools();
      // The 401 challenge asks for datasets:read, so that is what the SDK requested and the person granted.
      expect(tools.map((tool) => tool.name).sort()).toEqual(['describe_dataset', 'list_datasets', 'query_dataset']);
      const answer = (await client.callTool({ name: 'query_dataset', arguments: { dataset: 'invoices', filters: [{ column: 'amount', op: 'gte', value: 100 }], sort: [{ column: 'amount', direction: 'desc' }], limit: 5 } })) as {
        structuredContent: QueryPage;
      };
      expect(answer.structuredContent.rows.map((row) => row.amount)).toEqual([290, 280, 270, 260, 250]);
      expect(answer.structuredContent.rows.every((row) => typeof row.iban === 'string' && !String(row.iban).includes('DE89'))).toBe(true);
      expect(answer.structuredContent.more).toBe(true);
      await client.close();

      const events = await enclave.request('GET', `/api/w/${workspaceId}/audit-events?action=mcp.tool_call`, { cookie });
      const listed = ((await events.json()) as { events: { actor: { type: string }; details: { tool?: string; rowsReturned?: number } }[] }).events;
      expect(listed.some((event) => event.actor.type === 'mcp_client' && event.details.rowsReturned === 5)).toBe(true);
    });
  }
});
