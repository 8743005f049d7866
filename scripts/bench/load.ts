import { Agent, request } from 'node:http';

export interface LoadResult {
  requestsPerSecond: number;
  errors: number;
}

/**
 * A closed-loop HTTP load: `concurrency` keep-alive clients each send their next request
 * when the previous one answers, for `seconds`. Bounded in time, loopback only.
 */
export async function closedLoop(url: string, headers: Record<string, string>, options: { seconds: number; concurrency: number }): Promise<LoadResult> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error('load tests target loopback only');
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const end = performance.now() + options.seconds * 1000;
  let completed = 0;
  let errors = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request(target, { agent, headers }, (res) => {
        if (res.statusCode !== 200) errors++;
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
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
