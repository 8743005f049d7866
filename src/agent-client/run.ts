import { existsSync, statSync } from 'node:fs';
import { AgentRevokedError, AgentSession, HttpClient, pause } from './client.ts';
import type { AgentEvent } from './events.ts';
import { ensureStateDir, readIdentity, readSyncState } from './state.ts';
import { syncFolder } from './sync.ts';

export class RunError extends Error {
  override name = 'RunError';
}

export interface RunOptions {
  watchDir: string;
  stateDir: string;
  once: boolean;
  /** Between passes over the folder when watching. */
  intervalMs: number;
  emit: (event: AgentEvent) => void;
  signal: AbortSignal;
}

/** How a run ended, for the exit code. */
export type RunOutcome = 'done' | 'failed' | 'stopped' | 'revoked';

/**
 * Syncs the folder once, or (watching) again and again. Watching polls every few seconds
 * rather than using fs.watch, whose events are unreliable across platforms and network
 * shares (missed, doubled, or without file names); unchanged files cost one stat each.
 */
export async function runAgent(options: RunOptions): Promise<RunOutcome> {
  if (!existsSync(options.watchDir) || !statSync(options.watchDir).isDirectory()) throw new RunError(`--watch ${options.watchDir} is not a directory`);
  const identity = readIdentity(options.stateDir);
  ensureStateDir(options.stateDir);
  const state = readSyncState(options.stateDir, identity.agentId);
  const http = new HttpClient(identity.server, { signal: options.signal, onRetry: (reason, delayMs) => options.emit({ event: 'retry', reason, delayMs }) });
  const session = new AgentSession(http, identity);
  const context = { session, watchDir: options.watchDir, stateDir: options.stateDir, state, emit: options.emit, signal: options.signal };
  try {
    for (;;) {
      options.emit({ event: 'pass_start', watchDir: options.watchDir });
      const pass = await syncFolder(context);
      if (pass.stopped || options.signal.aborted) {
        options.emit({ event: 'stopped', reason: 'asked to stop' });
        return 'stopped';
      }
      options.emit({ event: 'pass_done', files: pass.files, failed: pass.failed });
      if (options.once) return pass.failed > 0 ? 'failed' : 'done';
      await pause(options.intervalMs, options.signal);
      if (options.signal.aborted) {
        options.emit({ event: 'stopped', reason: 'asked to stop' });
        return 'stopped';
      }
    }
  } catch (error) {
    if (!(error instanceof AgentRevokedError)) throw error;
    options.emit({ event: 'revoked', message: error.message });
    return 'revoked';
  }
}
