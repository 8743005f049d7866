import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventReader } from '../audit/export.ts';
import type { SqliteDatabase } from '../core/database.ts';
import type { Logger } from '../core/logger.ts';
import { advanceCursor, cursorOf } from './store.ts';
import { SiemDeliveryError, type SiemTarget } from './target.ts';

/** The longest a failing target waits before it is tried again. */
const MAX_BACKOFF_MS = 5 * 60_000;
/** Every this many passes every log is read whatever its fingerprint says, in case a change slipped past it. */
const FULL_PASS_EVERY = 360;

export interface ForwarderOptions {
  /** Holds the cursors (the control database). */
  db: SqliteDatabase;
  /** Every log to follow: `control` and the live workspaces, read afresh on every pass. */
  logs(): Iterable<string>;
  reader(log: string): EventReader;
  /**
   * A fingerprint of the files a log lives in, or undefined when it cannot vouch for the
   * log being unchanged. A log whose fingerprint is the same as when a target last caught
   * up is skipped without being opened: with thousands of idle workspaces, opening each on
   * every pass would churn the handle cache that requests rely on.
   */
  fingerprint?(log: string): string | undefined;
  targets: readonly SiemTarget[];
  batchSize: number;
  intervalMs: number;
  logger: Logger;
  clock?: () => Date;
}

interface TargetState {
  failures: number;
  retryAt: number;
}

/**
 * LOG-07: follows every audit log by seq and hands new events to each SIEM target in order.
 * Each target has its own cursor per log in the control database, moved only after the
 * target took the batch: a restart resumes after the last delivered event, so nothing is
 * lost or sent twice — except a batch in flight when the process died, which is sent again
 * (at least once). A failing target is retried with exponential backoff, alone: the others
 * keep going. Events are forwarded as stored, and they were redacted when recorded
 * (access/audit-event.ts), so their hashes still verify at the SIEM.
 */
export class SiemForwarder {
  readonly #options: ForwarderOptions;
  readonly #clock: () => Date;
  readonly #state = new Map<string, TargetState>();
  /** Per target, the fingerprint of each log when the target had everything in it. */
  readonly #caughtUp = new Map<string, Map<string, string>>();
  #passes = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  readonly #stopping = new AbortController();

  constructor(options: ForwarderOptions) {
    this.#options = options;
    this.#clock = options.clock ?? (() => new Date());
    for (const target of options.targets) {
      this.#state.set(target.name, { failures: 0, retryAt: 0 });
      this.#caughtUp.set(target.name, new Map());
    }
  }

  start(): void {
    if (this.#options.targets.length === 0) return;
    this.#schedule(0);
  }

  /** Waits for a pass under way to finish its current batch, then closes the connections. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#stopping.abort();
    await this.#running;
    for (const target of this.#options.targets) target.close();
  }

  /** One pass over every log for every target that is not backing off. */
  async forwardOnce(): Promise<void> {
    const full = this.#passes++ % FULL_PASS_EVERY === 0;
    for (const target of this.#options.targets) {
      const state = this.#state.get(target.name)!;
      if (this.#stopped) return;
      if (this.#clock().getTime() < state.retryAt) continue;
      try {
        await this.#forwardTo(target, full);
        if (state.failures > 0) this.#options.logger.info({ siemTarget: target.name }, 'siem delivery resumed');
        state.failures = 0;
        state.retryAt = 0;
      } catch (error) {
        // A batch cut off by shutdown is sent again at the next start; that is no failure of the target.
        if (this.#stopped) return;
        state.failures++;
        const backoff = Math.min(this.#options.intervalMs * 2 ** Math.min(state.failures, 16), MAX_BACKOFF_MS);
        state.retryAt = this.#clock().getTime() + backoff;
        // Only the described failure: never the error itself, which could quote a URL with credentials or a payload.
        const reason = error instanceof SiemDeliveryError ? error.message : `unexpected ${error instanceof Error ? error.name : 'error'}`;
        this.#options.logger.warn({ siemTarget: target.name, reason, failures: state.failures, retryInSeconds: Math.round(backoff / 1000) }, 'siem delivery failed');
      }
    }
  }

  async #forwardTo(target: SiemTarget, full: boolean): Promise<void> {
    const { db, batchSize } = this.#options;
    const caughtUp = this.#caughtUp.get(target.name)!;
    for (const log of this.#options.logs()) {
      // Taken before reading: a change made while the log is read alters it, so it is read again next pass.
      const fingerprint = this.#options.fingerprint?.(log);
      if (!full && fingerprint !== undefined && caughtUp.get(log) === fingerprint) continue;
      caughtUp.delete(log);
      const read = this.#options.reader(log);
      for (;;) {
        if (this.#stopped) return;
        const after = cursorOf(db, target.name, log);
        let events;
        try {
          events = read({ afterSeq: after, limit: batchSize });
        } catch (error) {
          // A workspace deleted since the list was taken: the others still go out.
          this.#options.logger.warn({ siemTarget: target.name, log, reason: error instanceof Error ? error.name : 'error' }, 'audit log not readable for forwarding');
          break;
        }
        if (events.length === 0) {
          if (fingerprint !== undefined) caughtUp.set(log, fingerprint);
          break;
        }
        if (after > 0 && events[0]!.seq !== after + 1) {
          this.#options.logger.warn({ siemTarget: target.name, log, missing: `${after + 1}-${events[0]!.seq - 1}` }, 'audit events were removed before they were forwarded');
        }
        await target.send(log, events, this.#stopping.signal);
        advanceCursor(db, target.name, log, events.at(-1)!.seq, this.#clock().toISOString());
        if (events.length < batchSize) {
          if (fingerprint !== undefined) caughtUp.set(log, fingerprint);
          break;
        }
      }
      // Many workspaces: requests keep being answered between them.
      await nextTurn();
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.forwardOnce()
        .catch((error: unknown) => this.#options.logger.error({ reason: error instanceof Error ? error.name : 'error' }, 'siem forwarding pass failed'))
        .finally(() => {
          this.#running = undefined;
          this.#schedule(this.#options.intervalMs);
        });
    }, delayMs);
    this.#timer.unref();
  }
}
