import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairingToken } from '../agents/agent.ts';
import { runEnclave } from '../helpers/cli.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { workspaceEvents } from '../identity/audit.ts';

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A flaky network between the agent and Enclave, as a real HTTP proxy: the first batch
 * request is cut before it reaches the server, the second reaches it (and is applied) but
 * its answer is lost, the third is answered 429 with Retry-After; everything else passes.
 */
function flakyProxy(upstream: string) {
  const seen = { batches: 0, tokens: 0, upstreamStatuses: [] as number[] };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await bodyOf(request);
      const path = request.url ?? '/';
      if (path.endsWith('/api/agents/token')) seen.tokens++;
      const batch = request.method === 'POST' && path.endsWith('/batches') ? ++seen.batches : 0;
      if (batch === 1) return request.socket.destroy();
      if (batch === 3) {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
        return response.end(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down', requestId: 'proxy' } }));
      }
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'accept']) if (typeof request.headers[name] === 'string') headers[name] = request.headers[name];
      const answer = await fetch(`${upstream}${path}`, { method: request.method, headers, ...(body.length ? { body: body.toString() } : {}) });
      seen.upstreamStatuses.push(answer.status);
      const text = Buffer.from(await answer.arrayBuffer());
      if (batch === 2) return request.socket.destroy();
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      response.end(text);
    })();
  });
  return {
    seen,
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the reference agent on a flaky network', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;
  let proxy: ReturnType<typeof flakyProxy>;
  let proxyUrl: string;
  let dir: string;

  beforeAll(async () => {
    // Access tokens of 5 seconds: the retries below outlast one, so the agent has to renew.
    enclave = await startTestServer({ agents: { accessTokenSeconds: 5 }, rateLimit: { signInPerIpPerMinute: 1_000 } });
    workspace = await enclave.createWorkspace('Flaky Ltd');
    proxy = flakyProxy(enclave.url);
    proxyUrl = await proxy.start();
    dir = mkdtempSync(join(tmpdir(), 'enclave-agent-flaky-'));
  });
  afterAll(async () => {
    await proxy.close();
    await enclave.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('[AGT-04] retries a cut connection, a lost answer and a 429 (after its Retry-After), renews its access token before expiry, and applies every row once', { timeout: 120_000 }, async () => {
    const stateDir = join(dir, 'state');
    const folder = join(dir, 'exports');
    const paired = await runEnclave(['agent', 'pair', '--server', proxyUrl, '--token', await pairingToken(enclave, workspace), '--state-dir', stateDir]);
    expect(paired.code).toBe(0);
    const expected = Array.from({ length: 2500 }, (_, index) => ({ id: index + 1, name: `item ${index + 1}` }));
    mkdirSync(folder);
    writeFileSync(join(folder, 'items.csv'), `id,name\n${expected.map((row) => `${row.id},${row.name}`).join('\n')}\n`);

    const run = await runEnclave(['agent', 'run', '--watch', folder, '--state-dir', stateDir, '--once', '--json'], { timeoutMs: 100_000 });
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const retries = events.filter((event) => event.event === 'retry');
    expect(retries.filter((event) => String(event.reason).startsWith('network error'))).toHaveLength(2);
    // Retry-After is honoured as given.
    expect(retries).toContainEqual(expect.objectContaining({ reason: 'HTTP 429', delayMs: 3000 }));

    const rows = (await (await enclave.request('GET', `/api/w/${workspace.id}/datasets/items/rows?limit=1000`, { token: workspace.token })).json()) as { rows: unknown[]; nextCursor: string | null };
    expect((await (await enclave.request('GET', `/api/w/${workspace.id}/datasets/items`, { token: workspace.token })).json()) as { rowCount: number }).toMatchObject({ rowCount: 2500 });
    expect(rows.rows).toEqual(expected.slice(0, 1000));
    // The batch whose answer was lost was sent again under the same id and applied once.
    const moved = workspaceEvents(enclave, workspace.id).filter((event) => event.action === 'dataset.data_moved' && event.target_id === 'items');
    expect(moved.map((event) => (JSON.parse(event.details) as { rowsIn: number }).rowsIn)).toEqual([1000, 1000, 500]);
    // A second access token was fetched by signing a new challenge before the first ran out: the server never had to refuse one.
    expect(proxy.seen.tokens).toBeGreaterThanOrEqual(2);
    expect(proxy.seen.upstreamStatuses).not.toContain(401);
  });
});
