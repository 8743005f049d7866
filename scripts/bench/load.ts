import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What each request sends: a GET by default, or a POST of one fixed body (a JSON-RPC call). */
export interface LoadOptions {
  seconds: number;
  concurrency: number;
  body?: string;
}

export interface LoadResult {
  requestsPerSecond: number;
  errors: number;
}

/**
 * A closed-loop HTTP load: `concurrency` keep-alive clients each send their next request
 * when the previous one answers, for `seconds`. Bounded in time, loopback only.
 */
export async function closedLoop(url: string, headers: Record<string, string>, options: LoadOptions): Promise<LoadResult> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error('load tests target loopback only');
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const end = performance.now() + options.seconds * 1000;
  let completed = 0;
  let errors = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request(target, { agent, headers, method: options.body === undefined ? 'GET' : 'POST' }, (res) => {
        if (res.statusCode !== 200) errors++;
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(options.body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < end) {
        await once();
        completed++;
      }
    }),
  );
  agent.destroy();
  return { requestsPerSecond: completed / ((performance.now() - started) / 1000), errors };
}

/**
 * The same closed loop driven by wrk (C, from Debian) when it is installed: it costs far
 * less CPU than a Node client, which on a 2-core machine otherwise competes with the
 * server under test and flattens the difference between fast and slow servers.
 */
export function wrkLoop(url: string, headers: Record<string, string>, options: LoadOptions): LoadResult {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error('load tests target loopback only');
  // wrk takes a request body only from a Lua script.
  const scriptDir = options.body === undefined ? undefined : mkdtempSync(join(tmpdir(), 'enclave-wrk-'));
  if (scriptDir) writeFileSync(join(scriptDir, 'post.lua'), `wrk.method = "POST"\nwrk.body = ${JSON.stringify(options.body)}\n`);
  const script = scriptDir ? ['-s', join(scriptDir, 'post.lua')] : [];
  const args = ['-t1', `-c${options.concurrency}`, `-d${options.seconds}s`, ...script, ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const result = spawnSync('wrk', args, { encoding: 'utf8', timeout: (options.seconds + 30) * 1000 });
  if (scriptDir) rmSync(scriptDir, { recursive: true, force: true });
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(result.stdout)?.[1];
  if (result.status !== 0 || rate === undefined) throw new Error(`wrk failed: ${result.stderr || result.stdout}`);
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(result.stdout)?.[1] ?? 0);
  return { requestsPerSecond: Number(rate), errors };
}

export const HAS_WRK = existsSync('/usr/bin/wrk');

export async function loadTest(url: string, headers: Record<string, string>, options: LoadOptions): Promise<LoadResult> {
  return HAS_WRK ? wrkLoop(url, headers, options) : closedLoop(url, headers, options);
}
