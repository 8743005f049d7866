import { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { Benchmark } from './benchmark.ts';

const WARMUP = 500;
const SAMPLES = 5000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Sandbox cold start: one step as the workflow runner pays for it — hand-off to a worker
 * thread, a fresh QuickJS runtime and context, the prelude, a trivial script, the JSON
 * output, disposal, and the answer back.
 */
export const sandboxBenchmark: Benchmark = {
  name: 'sandbox cold start',
  async run() {
    const sandbox = await Sandbox.create({ workers: 1 });
    try {
      for (let i = 0; i < WARMUP; i++) await sandbox.run({ code: 'return input + 1', input: i });
      const timings: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const started = performance.now();
        const result = await sandbox.run({ code: 'return input + 1', input: i });
        timings.push(performance.now() - started);
        if (!result.ok || result.output !== i + 1) throw new Error('the benchmark step did not return its input plus one');
      }
      timings.sort((a, b) => a - b);
      const p50 = percentile(timings, 50);
      return [
        { name: 'sandbox cold start p50 (fresh runtime and context per step)', value: p50, unit: 'ms', target: '< 1 ms', pass: p50 < 1 },
        { name: 'sandbox cold start p99', value: percentile(timings, 99), unit: 'ms', target: 'reported', pass: true },
      ];
    } finally {
      await sandbox.close();
    }
  },
};
