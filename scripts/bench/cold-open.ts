import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/core/config.ts';
import { openPlatform } from '../../src/platform/platform.ts';
import type { Benchmark } from './benchmark.ts';

const WORKSPACES = Number(process.env.ENCLAVE_BENCH_WORKSPACES ?? 10_000);
const SAMPLES = 1000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** (c) Opening a workspace that is not in the handle cache, among many: seed unwrap, key derivation, SQLCipher open, schema check. */
export const coldOpenBenchmark: Benchmark = {
  name: 'cold workspace open',
  async run() {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'enclave-bench-open-')), 'data');
    const platform = openPlatform(loadConfig({ env: {}, flags: { dataDir, workspaceHandleCacheSize: 64 } }), { createKeyInDevelopment: true });
    const meta = { actor: { type: 'operator' as const, id: 'bench' } };
    const ids: string[] = [];
    process.stdout.write(`  creating ${WORKSPACES} workspaces`);
    for (let i = 0; i < WORKSPACES; i++) {
      ids.push((await platform.workspaces.create(`Workspace ${i}`, meta)).id);
      if (i % 1000 === 999) process.stdout.write('.');
    }
    process.stdout.write('\n');
    platform.databases.close();
    const timings: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const id = ids[(i * 7919) % ids.length]!;
      const started = performance.now();
      platform.databases.open(id).db.prepare('SELECT display_name FROM workspace_profile').get();
      timings.push(performance.now() - started);
      if (i % 60 === 59) platform.databases.close();
    }
    platform.close();
    timings.sort((a, b) => a - b);
    const p99 = percentile(timings, 99);
    return [
      { name: `cold open p50 (among ${WORKSPACES})`, value: percentile(timings, 50), unit: 'ms', target: 'reported', pass: true },
      { name: `cold open p99 (among ${WORKSPACES})`, value: p99, unit: 'ms', target: '< 5 ms', pass: p99 < 5 },
    ];
  },
};
