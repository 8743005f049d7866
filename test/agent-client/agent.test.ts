import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairingToken } from '../agents/agent.ts';
import { runEnclave } from '../helpers/cli.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { workspaceEvents } from '../identity/audit.ts';
import { spawnAgent } from './process.ts';

const POSIX = process.platform !== 'win32';
type Row = Record<string, unknown>;

function events(stdout: string): Row[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Row);
}

/** Writes a file the way a careful exporter does (a temporary name, then a rename), so the agent never sees half of it. */
function drop(dir: string, name: string, content: string): void {
  const temporary = join(dir, `.${name}.part`);
  writeFileSync(temporary, content);
  renameSync(temporary, join(dir, name));
}

describe('the reference agent (enclave agent pair / run) against a real Enclave', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;
  const scratch: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    scratch.push(dir);
    return dir;
  };

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1_000, perIpPerMinute: 100_000, perActorPerMinute: 100_000 } });
    workspace = await enclave.createWorkspace('Exports Ltd');
  });
  afterAll(async () => {
    await enclave.close();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  const dataset = async (name: string) => (await (await enclave.request('GET', `/api/w/${workspace.id}/datasets/${name}`, { token: workspace.token })).json()) as { columns: Row[]; primaryKey: string[]; rowCount: number };
  /** Every row of a dataset, page by page, as the owner reads them through the API. */
  const allRows = async (name: string): Promise<Row[]> => {
    const rows: Row[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const response = await enclave.request('GET', `/api/w/${workspace.id}/datasets/${name}/rows?limit=1000${query}`, { token: workspace.token });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { rows: Row[]; nextCursor: string | null };
      rows.push(...page.rows);
      cursor = page.nextCursor;
    } while (cursor);
    return rows;
  };
  /** A fresh pairing through the CLI in its own process, with the token on stdin. */
  const pairedStateDir = async (): Promise<{ stateDir: string; agentId: string }> => {
    const stateDir = join(tempDir('enclave-agent-state-'), 'state');
    const paired = await runEnclave(['agent', 'pair', '--server', enclave.url, '--token-stdin', '--name', 'export box', '--state-dir', stateDir, '--json'], {
      input: `${await pairingToken(enclave, workspace)}\n`,
    });
    expect(paired.stderr).toBe('');
    expect(paired.code).toBe(0);
    const { agentId, workspaceId } = JSON.parse(paired.stdout) as { agentId: string; workspaceId: string };
    expect(workspaceId).toBe(workspace.id);
    return { stateDir, agentId };
  };

  it('[AGT-04] agent pair --help and agent run --help describe their options, and warn that --token shows in process listings', { timeout: 90_000 }, async () => {
    const pair = await runEnclave(['agent', 'pair', '--help']);
    expect(pair.code).toBe(0);
    for (const option of ['--server URL', '--token TOKEN', '--token-stdin', '--state-dir DIR', '--force', '--json']) expect(pair.stdout).toContain(option);
    expect(pair.stdout).toContain('process list');
    const run = await runEnclave(['agent', 'run', '--help']);
    expect(run.code).toBe(0);
    for (const option of ['--watch DIR', '--state-dir DIR', '--once', '--interval SECONDS', '--json', 'schema.json', 'primary key']) expect(run.stdout).toContain(option);
    const overview = await runEnclave(['agent']);
    expect(overview.stdout).toContain('agent pair');
    expect(overview.stdout).toContain('agent run');
  });

  it('[AGT-04] agent pair refuses plain http to another machine and an ambiguous token before sending anything', { timeout: 60_000 }, async () => {
    const stateDir = join(tempDir('enclave-agent-refused-'), 'state');
    const plain = await runEnclave(['agent', 'pair', '--server', 'http://enclave.example.com', '--token', 'enp_whatever', '--state-dir', stateDir]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('plain http');
    expect(plain.stderr).not.toContain('enp_whatever');
    const both = await runEnclave(['agent', 'pair', '--server', enclave.url, '--token', 'enp_whatever', '--token-stdin', '--state-dir', stateDir], { input: 'enp_other\n' });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exactly one of --token or --token-stdin');
    expect(existsSync(stateDir)).toBe(false);
  });

  it('[AGT-04] a paired agent process syncs CSV and JSON-lines files into datasets, which read back exactly through the API', { timeout: 120_000 }, async () => {
    const { stateDir, agentId } = await pairedStateDir();
    // The identity holds the private key: owner-only, in an owner-only directory.
    if (POSIX) {
      expect(statSync(stateDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(stateDir, 'agent.json')).mode & 0o777).toBe(0o600);
    }
    const identity = JSON.parse(readFileSync(join(stateDir, 'agent.json'), 'utf8')) as Row;
    expect(identity).toMatchObject({ agentId, workspaceId: workspace.id, server: enclave.url });
    expect(String(identity.privateKey)).toContain('BEGIN PRIVATE KEY');

    // A second pairing into the same state directory needs --force.
    const again = await runEnclave(['agent', 'pair', '--server', enclave.url, '--token', await pairingToken(enclave, workspace), '--state-dir', stateDir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already holds a paired agent');

    // An existing dataset whose types the file must fit: its bad row is rejected with its line, the rest applied.
    const ledger = await enclave.request('POST', `/api/w/${workspace.id}/datasets`, {
      token: workspace.token,
      body: { name: 'ledger', columns: [{ name: 'entry', type: 'integer' }, { name: 'amount', type: 'integer' }], primaryKey: ['entry'] },
    });
    expect(ledger.status).toBe(201);

    const folder = tempDir('enclave-agent-exports-');
    drop(
      folder,
      'Invoices 2026.csv',
      [
        'id,Customer Name,amount,paid,issued_at,note',
        '1,"Acme, Inc.",120.5,true,2026-01-31T10:00:00+01:00,"said ""hi""\non two lines"',
        '2,Globex,80,FALSE,2026-01-31T09:30:00Z,',
        '3,Initech,-7.25,false,2026-02-01T00:00:00Z,plain',
        '',
      ].join('\r\n'),
    );
    drop(
      folder,
      'customers.jsonl',
      '{"code":"C-1","name":"Acme","since":"2020-05-01T00:00:00Z","vip":true,"score":3,"tags":["a","b"]}\n{"code":"C-2","name":"Globex","score":4.5,"vip":false}\n',
    );
    drop(folder, 'products.csv', 'SKU,Price,ignored\n007,5,x\n010,2.5,y\n');
    drop(folder, 'products.csv.schema.json', JSON.stringify({ columns: [{ name: 'sku', type: 'text', nullable: false }, { name: 'price', type: 'real' }], primaryKey: ['sku'] }));
    drop(folder, 'ledger.csv', 'entry,amount\n1,10\n2,n/a\n3,30\n');
    drop(folder, '日本.csv', 'id\n1\n');
    drop(folder, 'notes.txt', 'not an export');

    const run = await runEnclave(['agent', 'run', '--watch', folder, '--state-dir', stateDir, '--once', '--json'], { timeoutMs: 60_000 });
    const seen = events(run.stdout);
    // The file without a usable name is reported and skipped; that makes the pass exit 1, everything else is synced.
    expect(run.code).toBe(1);
    expect(seen).toContainEqual(expect.objectContaining({ event: 'file_skipped', file: '日本.csv' }));
    expect(seen.some((event) => event.file === 'notes.txt' || event.file === 'products.csv.schema.json')).toBe(false);
    expect(seen).toContainEqual(expect.objectContaining({ event: 'row_rejected', file: 'ledger.csv', dataset: 'ledger', line: 3, column: 'amount', code: 'invalid_value' }));
    for (const file of ['Invoices 2026.csv', 'customers.jsonl', 'products.csv', 'ledger.csv']) expect(seen).toContainEqual(expect.objectContaining({ event: 'file_done', file }));
    expect(run.stderr).toContain('Invoices 2026.csv → invoices_2026: 3/3 rows sent');
    expect(run.stderr).toContain('ledger.csv line 3: amount:');

    expect(await dataset('invoices_2026')).toMatchObject({
      primaryKey: ['id'],
      columns: [
        { name: 'id', type: 'integer', nullable: false },
        { name: 'customer_name', type: 'text', nullable: true },
        { name: 'amount', type: 'real', nullable: true },
        { name: 'paid', type: 'boolean', nullable: true },
        { name: 'issued_at', type: 'timestamp', nullable: true },
        { name: 'note', type: 'text', nullable: true },
      ],
    });
    expect(await allRows('invoices_2026')).toEqual([
      { id: 1, customer_name: 'Acme, Inc.', amount: 120.5, paid: true, issued_at: '2026-01-31T09:00:00.000Z', note: 'said "hi"\non two lines' },
      { id: 2, customer_name: 'Globex', amount: 80, paid: false, issued_at: '2026-01-31T09:30:00.000Z', note: null },
      { id: 3, customer_name: 'Initech', amount: -7.25, paid: false, issued_at: '2026-02-01T00:00:00.000Z', note: 'plain' },
    ]);
    expect((await dataset('customers')).primaryKey).toEqual(['code']);
    expect(await allRows('customers')).toEqual([
      { code: 'C-1', name: 'Acme', since: '2020-05-01T00:00:00.000Z', vip: true, score: 3, tags: '["a","b"]' },
      { code: 'C-2', name: 'Globex', since: null, vip: false, score: 4.5, tags: null },
    ]);
    expect((await dataset('products')).columns).toMatchObject([
      { name: 'sku', type: 'text', nullable: false },
      { name: 'price', type: 'real', nullable: true },
    ]);
    expect(await allRows('products')).toEqual([
      { sku: '007', price: 5 },
      { sku: '010', price: 2.5 },
    ]);
    expect(await allRows('ledger')).toEqual([
      { entry: 1, amount: 10 },
      { entry: 3, amount: 30 },
    ]);

    // Progress is kept owner-only too, and a second pass sends nothing for files that did not change.
    if (POSIX) expect(statSync(join(stateDir, 'sync-state.json')).mode & 0o777).toBe(0o600);
    const second = await runEnclave(['agent', 'run', '--watch', folder, '--state-dir', stateDir, '--once', '--json'], { timeoutMs: 60_000 });
    expect(events(second.stdout).filter((event) => event.event === 'batch')).toEqual([]);

    // A state file others can read is refused rather than used.
    if (POSIX) {
      chmodSync(join(stateDir, 'agent.json'), 0o644);
      const refused = await runEnclave(['agent', 'run', '--watch', folder, '--state-dir', stateDir, '--once']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('must be readable by its owner only');
    }
  });

  it('[AGT-04] agent run --watch picks up new and changed files (also a file changed back) until SIGTERM stops it cleanly', { timeout: 90_000 }, async () => {
    const { stateDir } = await pairedStateDir();
    const folder = tempDir('enclave-agent-watch-');
    const agent = spawnAgent(['agent', 'run', '--watch', folder, '--state-dir', stateDir, '--interval', '0.2', '--json']);
    try {
      await agent.waitFor((event) => event.event === 'pass_done');
      drop(folder, 'stock.csv', 'id,item\n1,bolts\n');
      await agent.waitFor((event) => event.event === 'file_done' && event.file === 'stock.csv');
      expect(await allRows('stock')).toEqual([{ id: 1, item: 'bolts' }]);

      drop(folder, 'stock.csv', 'id,item\n1,nuts\n2,washers\n');
      drop(folder, 'suppliers.ndjson', '{"id":7,"name":"Fasteners AG"}\n');
      await agent.waitFor((event) => event.event === 'file_done' && event.file === 'stock.csv' && event.rows === 2);
      await agent.waitFor((event) => event.event === 'file_done' && event.file === 'suppliers.ndjson');
      expect(await allRows('stock')).toEqual([
        { id: 1, item: 'nuts' },
        { id: 2, item: 'washers' },
      ]);
      expect(await allRows('suppliers')).toEqual([{ id: 7, name: 'Fasteners AG' }]);

      // The first content again: sent anew (the server must not answer it from the first sync's batch ids).
      const from = agent.events.length;
      drop(folder, 'stock.csv', 'id,item\n1,bolts\n');
      await agent.waitFor((event) => event.event === 'file_done' && event.file === 'stock.csv', from);
      expect(await allRows('stock')).toEqual([
        { id: 1, item: 'bolts' },
        { id: 2, item: 'washers' },
      ]);
    } finally {
      agent.child.kill('SIGTERM');
    }
    expect(await agent.exited).toBe(143);
    expect(agent.events.at(-1)).toMatchObject({ event: 'stopped' });
  });

  it('[AGT-04] killed with SIGKILL mid-sync and restarted, the agent resumes: no row lost, none duplicated', { timeout: 180_000 }, async () => {
    const { stateDir } = await pairedStateDir();
    const folder = tempDir('enclave-agent-big-');
    const expected: Row[] = [];
    const lines = ['id,label,amount,booked_at'];
    for (let id = 1; id <= 30_000; id++) {
      const label = id % 7 === 0 ? `order "${id}", urgent` : `order ${id}`;
      const bookedAt = new Date(Date.UTC(2026, 0, 1) + id * 60_000).toISOString();
      expected.push({ id, label, amount: id / 4, booked_at: bookedAt });
      lines.push(`${id},"${label.replaceAll('"', '""')}",${id / 4},${bookedAt}`);
    }
    drop(folder, 'orders.csv', `${lines.join('\n')}\n`);

    const first = spawnAgent(['agent', 'run', '--watch', folder, '--state-dir', stateDir, '--once', '--json']);
    await first.waitFor((event) => event.event === 'batch' && Number(event.batch) >= 2);
    first.child.kill('SIGKILL');
    await first.exited;
    const acknowledged = first.events.filter((event) => event.event === 'batch').length;
    const partial = (await dataset('orders')).rowCount;
    // Killed part-way: some batches are in, not all of them.
    expect(partial).toBeGreaterThanOrEqual(acknowledged * 1000);
    expect(partial).toBeLessThan(30_000);

    const second = await runEnclave(['agent', 'run', '--watch', folder, '--state-dir', stateDir, '--once', '--json'], { timeoutMs: 150_000 });
    expect(second.stderr).not.toContain('failed');
    expect(second.code).toBe(0);
    const resumed = events(second.stdout).find((event) => event.event === 'file_start');
    expect(resumed).toMatchObject({ file: 'orders.csv', batches: 30 });
    // It continued after the last acknowledged batch instead of starting over.
    expect(Number(resumed!.resumeAtBatch)).toBeGreaterThanOrEqual(acknowledged);

    expect(await allRows('orders')).toEqual(expected);
    // Every row was applied exactly once: each of the 30 batch ids has one "data moved" event,
    // and a batch sent again after the kill was answered from its first result, not applied twice.
    const moved = workspaceEvents(enclave, workspace.id).filter((event) => event.action === 'dataset.data_moved' && event.target_id === 'orders');
    const batches = moved.map((event) => JSON.parse(event.details) as { batchId: string; rowsIn: number; rowsRejected: number });
    expect(new Set(batches.map((batch) => batch.batchId)).size).toBe(30);
    expect(batches).toHaveLength(30);
    expect(batches.reduce((sum, batch) => sum + batch.rowsIn, 0)).toBe(30_000);
    expect(batches.every((batch) => batch.rowsRejected === 0)).toBe(true);
  });

  it('[AGT-04] an agent revoked while it watches stops with exit code 3 and says to pair again', { timeout: 90_000 }, async () => {
    const { stateDir, agentId } = await pairedStateDir();
    const folder = tempDir('enclave-agent-revoked-');
    drop(folder, 'first.csv', 'id\n1\n');
    const agent = spawnAgent(['agent', 'run', '--watch', folder, '--state-dir', stateDir, '--interval', '0.2', '--json']);
    try {
      await agent.waitFor((event) => event.event === 'file_done' && event.file === 'first.csv');
      const revoked = await enclave.request('DELETE', `/api/w/${workspace.id}/agents/${agentId}`, { token: workspace.token });
      expect(revoked.status).toBe(204);
      // Its access token is still fresh: the next request fails, and so does the renewal it tries.
      drop(folder, 'second.csv', 'id\n2\n');
      expect(await agent.exited).toBe(3);
    } finally {
      agent.child.kill('SIGKILL');
    }
    expect(agent.events).toContainEqual(expect.objectContaining({ event: 'revoked' }));
    expect(agent.stderr()).toContain('revoked');
    expect(agent.stderr()).toContain('enclave agent pair');
    expect((await enclave.request('GET', `/api/w/${workspace.id}/datasets/second`, { token: workspace.token })).status).toBe(404);

    // Started again, it stops at once with the same message: the pairing token is never tried again.
    const rerun = await runEnclave(['agent', 'run', '--watch', folder, '--state-dir', stateDir, '--once']);
    expect(rerun.code).toBe(3);
    expect(rerun.stderr).toContain('revoked');
  });
});
