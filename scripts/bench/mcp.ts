import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark } from './benchmark.ts';
import { cli, startProcess } from './full-stack-read.ts';
import { HAS_WRK, loadTest } from './load.ts';

const SECONDS = 8;
const CONCURRENCY = 16;
const ROWS = 2000;
const PAGE = 20;
const PASSWORD = 'bench-password-0123456789';

/** One tools/call of the query tool, as an MCP client sends it over Streamable HTTP. */
const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'query_dataset', arguments: { dataset: 'orders', limit: PAGE, offset: 40 } } });
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Issue 5's target: authenticated MCP query-tool calls per second through the whole
 * stack (personal-token authentication, role and scope checks, rate limit, read-only
 * encrypted handle, masking, an audit event per call) against the same tool served by a
 * bare server built with the same MCP SDK over plain SQLite — target ratio ≥ 0.9.
 */
export const mcpBenchmark: Benchmark = {
  name: 'MCP tool calls',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-bench-mcp-'));
    const dataDir = join(dir, 'data');
    cli(['init', '--data-dir', dataDir]);
    const email = 'bench@example.com';
    const created = spawnSync(process.execPath, ['src/cli/main.ts', 'users', 'create', '--data-dir', dataDir, '--email', email, '--name', 'Bench', '--password-stdin'], { input: PASSWORD, encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`users create failed: ${created.stderr}`);
    const workspace = JSON.parse(cli(['workspaces', 'create', '--data-dir', dataDir, '--name', 'Bench Co', '--json'])) as { id: string };
    cli(['workspaces', 'add-member', '--data-dir', dataDir, '--workspace', workspace.id, '--email', email, '--role', 'owner']);
    const config = join(dir, 'enclave.yaml');
    writeFileSync(config, 'rateLimit:\n  perIpPerMinute: 100000000\n  perActorPerMinute: 100000000\nalerts:\n  requestsPerTokenPerWindow: 10000000\n');
    const enclave = await startProcess(['src/cli/main.ts', 'serve', '--data-dir', dataDir, '--config', config, '--port', '0'], /listening on (http:\/\/[^\s]+)/);
    const baseline = await startProcess(['scripts/bench/mcp-baseline-server.ts', join(dir, 'plain.db'), String(ROWS)], /^(\d+)\n/);
    try {
      const origin = enclave.match[1]!;
      const signIn = await fetch(`${origin}/api/auth/sign-in/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ email, password: PASSWORD }) });
      await json(signIn, 'sign-in');
      const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
      const session = { cookie, origin, 'content-type': 'application/json' };
      const columns = [
        { name: 'id', type: 'text', nullable: false },
        { name: 'customer', type: 'text' },
        { name: 'amount', type: 'real' },
        { name: 'status', type: 'text' },
      ];
      await json(await fetch(`${origin}/api/w/${workspace.id}/datasets`, { method: 'POST', headers: session, body: JSON.stringify({ name: 'orders', columns, primaryKey: ['id'] }) }), 'dataset');
      for (let start = 0; start < ROWS; start += 1000) {
        const upserts = Array.from({ length: Math.min(1000, ROWS - start) }, (_, index) => {
          const i = start + index;
          return { id: `o${String(i).padStart(6, '0')}`, customer: `customer ${i % 97}`, amount: (i * 7) % 1000, status: i % 3 === 0 ? 'paid' : 'open' };
        });
        await json(await fetch(`${origin}/api/w/${workspace.id}/datasets/orders/batches`, { method: 'POST', headers: session, body: JSON.stringify({ batchId: `seed-${start}`, upserts }) }), 'rows');
      }
      const minted = await json<{ token: string }>(
        await fetch(`${origin}/api/w/${workspace.id}/mcp/tokens`, { method: 'POST', headers: session, body: JSON.stringify({ name: 'bench', scopes: ['datasets:read'] }) }),
        'personal MCP token',
      );
      const enclaveHeaders = { ...MCP_HEADERS, authorization: `Bearer ${minted.token}` };
      const enclaveUrl = `${origin}/mcp`;
      const baselineUrl = `http://127.0.0.1:${baseline.match[1]}/mcp`;
      // Both answer the same call with the same rows before anything is measured.
      const probe = await json<{ result: { structuredContent: { rows: unknown[] } } }>(await fetch(enclaveUrl, { method: 'POST', headers: enclaveHeaders, body: CALL }), 'MCP call');
      if (probe.result.structuredContent.rows.length !== PAGE) throw new Error('the MCP query tool did not return a full page');
      await loadTest(enclaveUrl, enclaveHeaders, { seconds: 2, concurrency: CONCURRENCY, body: CALL });
      await loadTest(baselineUrl, MCP_HEADERS, { seconds: 2, concurrency: CONCURRENCY, body: CALL });
      const full = await loadTest(enclaveUrl, enclaveHeaders, { seconds: SECONDS, concurrency: CONCURRENCY, body: CALL });
      const bare = await loadTest(baselineUrl, MCP_HEADERS, { seconds: SECONDS, concurrency: CONCURRENCY, body: CALL });
      if (full.errors || bare.errors) throw new Error(`load errors: enclave ${full.errors}, baseline ${bare.errors}`);
      const ratio = full.requestsPerSecond / bare.requestsPerSecond;
      return [
        { name: 'authenticated query_dataset calls (token, scopes, audit, encrypted read-only handle)', value: full.requestsPerSecond, unit: 'calls/s', target: 'reported', pass: true },
        { name: 'same tool, same SDK, no auth, plain SQLite (baseline)', value: bare.requestsPerSecond, unit: 'calls/s', target: 'reported', pass: true },
        {
          name: 'MCP full stack / baseline',
          value: ratio,
          unit: 'ratio',
          target: '≥ 0.90',
          pass: ratio >= 0.9,
          notes: `${PAGE}-row page of ${ROWS}; ${CONCURRENCY} connections, ${SECONDS} s each, ${HAS_WRK ? 'wrk' : 'Node load generator'}`,
        },
      ];
    } finally {
      enclave.child.kill('SIGTERM');
      baseline.child.kill('SIGTERM');
    }
  },
};
