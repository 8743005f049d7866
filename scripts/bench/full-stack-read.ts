import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark } from './benchmark.ts';
import { HAS_WRK, loadTest } from './load.ts';

const NODE = [process.execPath, '--disable-warning=ExperimentalWarning'];
const SECONDS = 8;
const CONCURRENCY = 16;

export function cli(args: string[]): string {
  const result = spawnSync(NODE[0]!, [...NODE.slice(1), 'src/cli/main.ts', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`enclave ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

export function startProcess(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE[0]!, [...NODE.slice(1), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ child, match });
      }
    });
    child.on('exit', (code) => reject(new Error(`process exited with ${code} before it was ready`)));
  });
}

/** (a) A tenant-scoped read through the whole stack vs a bare route over plain SQLite. */
export const fullStackReadBenchmark: Benchmark = {
  name: 'full-stack tenant read',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-bench-stack-'));
    const dataDir = join(dir, 'data');
    cli(['init', '--data-dir', dataDir]);
    const workspace = JSON.parse(cli(['workspaces', 'create', '--data-dir', dataDir, '--name', 'Bench Co', '--json'])) as { id: string };
    const { token } = JSON.parse(cli(['api-keys', 'create', '--data-dir', dataDir, '--workspace', workspace.id, '--name', 'bench', '--role', 'viewer', '--json'])) as { token: string };
    const config = join(dir, 'enclave.yaml');
    writeFileSync(config, 'rateLimit:\n  perIpPerMinute: 100000000\n  perActorPerMinute: 100000000\n');
    const enclave = await startProcess(['src/cli/main.ts', 'serve', '--data-dir', dataDir, '--config', config, '--port', '0'], /listening on (http:\/\/[^\s]+)/);
    const baseline = await startProcess(['scripts/bench/baseline-server.ts', join(dir, 'plain.db')], /^(\d+)\n/);
    try {
      const url = `${enclave.match[1]}/api/w/${workspace.id}/profile`;
      await loadTest(url, { authorization: `Bearer ${token}` }, { seconds: 2, concurrency: CONCURRENCY });
      await loadTest(`http://127.0.0.1:${baseline.match[1]}/profile`, {}, { seconds: 2, concurrency: CONCURRENCY });
      const full = await loadTest(url, { authorization: `Bearer ${token}` }, { seconds: SECONDS, concurrency: CONCURRENCY });
      const bare = await loadTest(`http://127.0.0.1:${baseline.match[1]}/profile`, {}, { seconds: SECONDS, concurrency: CONCURRENCY });
      if (full.errors || bare.errors) throw new Error(`load errors: enclave ${full.errors}, baseline ${bare.errors}`);
      const ratio = full.requestsPerSecond / bare.requestsPerSecond;
      return [
        { name: 'full-stack read (auth, permission, rate limit, logging, encrypted db)', value: full.requestsPerSecond, unit: 'req/s', target: 'reported', pass: true },
        { name: 'bare Fastify + plain SQLite read (baseline)', value: bare.requestsPerSecond, unit: 'req/s', target: 'reported', pass: true },
        {
          name: 'full-stack / baseline throughput',
          value: ratio,
          unit: 'ratio',
          target: '>= 0.75',
          pass: ratio >= 0.75,
          notes: `load from ${HAS_WRK ? 'wrk' : 'a Node client (install wrk for a fairer figure)'}, ${CONCURRENCY} connections`,
        },
      ];
    } finally {
      enclave.child.kill('SIGTERM');
      baseline.child.kill('SIGTERM');
    }
  },
};
