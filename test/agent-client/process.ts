import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** A long-running `enclave agent run` in its own process, with its --json events as they arrive. */
export interface AgentProcess {
  child: ChildProcess;
  events: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the first matching event from position `from` on, or rejects if the process ends first. */
  waitFor(match: (event: Record<string, unknown>) => boolean, from?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

export function spawnAgent(args: string[]): AgentProcess {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Record<string, unknown>[] = [];
  const waiters: { match: (event: Record<string, unknown>) => boolean; resolve: (event: Record<string, unknown>) => void; reject: (error: Error) => void }[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const event = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
      buffered = buffered.slice(newline + 1);
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.match(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`agent exited (${code}) before the awaited event; stderr: ${stderr}`));
      resolve(code);
    });
  });
  return {
    child,
    events,
    stderr: () => stderr,
    exited,
    waitFor(match, from = 0) {
      const seen = events.slice(from).find(match);
      if (seen) return Promise.resolve(seen);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`agent already exited; stderr: ${stderr}`));
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
    },
  };
}
