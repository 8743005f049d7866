import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../src/audit/log.ts';
import { auditTables } from '../../src/audit/migrations.ts';
import { auditSigningKeys } from '../../src/audit/signing.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { openEncryptedDatabase } from '../../src/core/database.ts';
import { migrate } from '../../src/core/migrations.ts';
import type { Benchmark, BenchResult } from './benchmark.ts';

const EVENTS = 200_000;
const CONCURRENT = 500;

/** (d) Group-committed appends from many concurrent callers, then full chain verification. */
export const auditBenchmark: Benchmark = {
  name: 'audit log',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-bench-audit-'));
    try {
      return await measure(dir);
    } finally {
      // Each run leaves a database of about 60 MB otherwise.
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function measure(dir: string): Promise<BenchResult[]> {
  const db = openEncryptedDatabase(join(dir, 'audit.db'), { key: randomBytes(32) });
  migrate(db, 'audit', [auditTables]);
  const seed = randomBytes(32);
  const checkpointFile = join(dir, 'checkpoints.jsonl');
  const log = new AuditLog({ db, scope: 'ws_bench', signingSeed: seed, checkpointFile });
  const started = performance.now();
  // Many requests in flight at once, each awaiting its own event, as under load.
  for (let sent = 0; sent < EVENTS; sent += CONCURRENT) {
    await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        log.record({
          actor: { type: 'api_key', id: `key_${i % 17}` },
          action: 'dataset.query',
          target: { type: 'dataset', id: `sales_${i % 5}` },
          outcome: 'success',
          ip: '127.0.0.1',
          userAgent: 'bench/1.0',
          requestId: `req_${sent + i}`,
          details: { rows: i, tool: 'query' },
        }),
      ),
    );
  }
  const appendsPerSecond = EVENTS / ((performance.now() - started) / 1000);
  log.close();
  const verifyStarted = performance.now();
  const result = verifyAuditChain({ db, scope: 'ws_bench', publicKey: auditSigningKeys(seed).publicKey, checkpointFile });
  const verifyPerSecond = result.events / ((performance.now() - verifyStarted) / 1000);
  db.close();
  if (!result.ok) throw new Error(`the benchmark's own chain failed to verify: ${result.problem}`);
  return [
    { name: `audit appends, ${CONCURRENT} concurrent callers`, value: appendsPerSecond, unit: 'events/s', target: '>= 50,000', pass: appendsPerSecond >= 50_000 },
    { name: `audit chain verification (${EVENTS} events)`, value: verifyPerSecond, unit: 'events/s', target: '>= 150,000', pass: verifyPerSecond >= 150_000 },
  ];
}
