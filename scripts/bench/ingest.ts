import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEncryptedDatabase } from '../../src/core/database.ts';
import { datasetTables } from '../../src/datasets/migrations.ts';
import { migrate } from '../../src/core/migrations.ts';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { cli, startProcess } from './full-stack-read.ts';

const BATCH_ROWS = 1_000;
const BATCHES = 200;
/** Batches in flight at once, as a few agents (or one pipelining agent) would send them. */
const IN_FLIGHT = 4;

const DATASET = {
  name: 'invoices',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'customer', type: 'text' },
    { name: 'amount', type: 'real' },
    { name: 'paid', type: 'boolean' },
    { name: 'issued_at', type: 'timestamp' },
    { name: 'note', type: 'text' },
  ],
  primaryKey: ['id'],
};

function row(id: number) {
  return { id, customer: `customer ${id % 977}`, amount: (id % 10_000) / 7, paid: id % 3 === 0, issued_at: new Date(1_767_225_600_000 + id * 60_000).toISOString(), note: 'x'.repeat(60) };
}

/** Bodies are built before the clock starts: the measure is the server's, not the client's JSON encoding. */
function batches(): string[] {
  return Array.from({ length: BATCHES }, (_, batch) =>
    JSON.stringify({ batchId: `bench-${batch}`, upserts: Array.from({ length: BATCH_ROWS }, (_, index) => row(batch * BATCH_ROWS + index)) }),
  );
}

/** The same rows straight into the same kind of encrypted table, in one transaction: the floor the HTTP path is compared with. */
function rawInsertsPerSecond(dir: string): number {
  const db = openEncryptedDatabase(join(dir, 'raw.db'), { key: randomBytes(32) });
  migrate(db, 'raw', [datasetTables]);
  db.exec('CREATE TABLE "ds_invoices" ("id" INTEGER NOT NULL, "customer" TEXT, "amount" REAL, "paid" INTEGER CHECK ("paid" IN (0, 1)), "issued_at" TEXT, "note" TEXT, PRIMARY KEY ("id")) STRICT, WITHOUT ROWID');
  const insert = db.prepare('INSERT INTO "ds_invoices" ("id", "customer", "amount", "paid", "issued_at", "note") VALUES (?, ?, ?, ?, ?, ?)');
  const rows = Array.from({ length: BATCH_ROWS * BATCHES }, (_, id) => row(id));
  const started = performance.now();
  db.transaction(() => {
    for (const r of rows) insert.run(r.id, r.customer, r.amount, r.paid ? 1 : 0, r.issued_at, r.note);
  })();
  const perSecond = rows.length / ((performance.now() - started) / 1000);
  db.close();
  return perSecond;
}

/** AGT-03: rows per second through the sync API (HTTP, auth, validation, encrypted upsert, audit) in batches of 1,000. */
export const ingestBenchmark: Benchmark = {
  name: 'sync ingest',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-bench-ingest-'));
    const dataDir = join(dir, 'data');
    try {
      cli(['init', '--data-dir', dataDir]);
      const workspace = JSON.parse(cli(['workspaces', 'create', '--data-dir', dataDir, '--name', 'Ingest Co', '--json'])) as { id: string };
      const { token } = JSON.parse(cli(['api-keys', 'create', '--data-dir', dataDir, '--workspace', workspace.id, '--name', 'bench', '--role', 'builder', '--json'])) as { token: string };
      const config = join(dir, 'enclave.yaml');
      writeFileSync(config, 'logLevel: warn\nrateLimit:\n  perIpPerMinute: 100000000\n  perActorPerMinute: 100000000\n');
      const enclave = await startProcess(['src/cli/main.ts', 'serve', '--data-dir', dataDir, '--config', config, '--port', '0'], /listening on (http:\/\/[^\s]+)/);
      try {
        const base = `${enclave.match[1]}/api/w/${workspace.id}/datasets`;
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        const created = await fetch(base, { method: 'POST', headers, body: JSON.stringify(DATASET) });
        if (created.status !== 201) throw new Error(`creating the dataset failed: ${created.status}`);
        const bodies = batches();
        let next = 0;
        let rejected = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            while (next < bodies.length) {
              const body = bodies[next++]!;
              const answer = await fetch(`${base}/invoices/batches`, { method: 'POST', headers, body });
              if (answer.status !== 200) throw new Error(`batch failed: ${answer.status} ${await answer.text()}`);
              rejected += ((await answer.json()) as { rejected: unknown[] }).rejected.length;
            }
          }),
        );
        const perSecond = (BATCHES * BATCH_ROWS) / ((performance.now() - started) / 1000);
        if (rejected > 0) throw new Error(`${rejected} rows were rejected`);
        const raw = rawInsertsPerSecond(dir);
        const ratio = perSecond / raw;
        return [
          { name: `rows ingested end to end, batches of ${BATCH_ROWS}, ${IN_FLIGHT} in flight`, value: perSecond, unit: 'rows/s', target: '>= 100,000', pass: perSecond >= 100_000 },
          { name: 'raw inserts into the same encrypted table, one transaction (baseline)', value: raw, unit: 'rows/s', target: 'reported', pass: true },
          { name: 'end to end / raw inserts', value: ratio, unit: 'ratio', target: 'reported', pass: true },
        ];
      } finally {
        // Wait for it to go: it is still writing its files, which are removed next.
        const exited = once(enclave.child, 'exit');
        enclave.child.kill('SIGTERM');
        await exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
