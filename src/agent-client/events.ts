import type { Writable } from 'node:stream';

/** What the agent reports: one JSON line each on stdout with --json, a readable line on stderr always. */
export type AgentEvent =
  | { event: 'pass_start'; watchDir: string }
  | { event: 'file_start'; file: string; dataset: string; rows: number; batches: number; resumeAtBatch: number; rowsSent: number }
  | { event: 'batch'; file: string; dataset: string; batch: number; batchId: string; rowsSent: number; rows: number; upserted: number; rejected: number }
  | { event: 'row_rejected'; file: string; dataset: string; line: number; code: string; message: string; column?: string }
  | { event: 'file_done'; file: string; dataset: string; rows: number; rowsSent: number; rejected: number }
  | { event: 'file_skipped'; file: string; reason: string }
  | { event: 'file_failed'; file: string; code: string; reason: string }
  | { event: 'retry'; reason: string; delayMs: number }
  | { event: 'pass_done'; files: number; failed: number }
  | { event: 'stopped'; reason: string }
  | { event: 'revoked'; message: string };

/** Rejected rows printed per file on stderr before the rest are only counted (--json lists them all). */
const SHOWN_REJECTIONS = 20;
const BAR_WIDTH = 24;

function bar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
}

/**
 * Turns events into output. On a terminal each file has one line that redraws as batches
 * are acknowledged (a text bar); elsewhere (a log file, a service manager) each file gets
 * one line when it is done or stopped, so logs do not fill with partial lines.
 */
export class Reporter {
  readonly #stdout: Writable;
  readonly #stderr: Writable;
  readonly #json: boolean;
  readonly #tty: boolean;
  #current: { file: string; dataset: string; rowsSent: number; rows: number } | undefined;
  #rejections = new Map<string, number>();

  constructor(stdout: Writable, stderr: Writable, json: boolean) {
    this.#stdout = stdout;
    this.#stderr = stderr;
    this.#json = json;
    this.#tty = Boolean((stderr as { isTTY?: boolean }).isTTY);
  }

  emit = (event: AgentEvent): void => {
    if (this.#json) this.#stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
    this.#human(event);
  };

  #line(text: string): void {
    if (this.#tty && this.#current) this.#stderr.write('\r\x1b[2K');
    this.#stderr.write(`${text}\n`);
    if (this.#tty && this.#current) this.#redraw();
  }

  #redraw(): void {
    const current = this.#current!;
    this.#stderr.write(`\r\x1b[2K${current.file} → ${current.dataset} ${bar(current.rowsSent, current.rows)} ${current.rowsSent}/${current.rows} rows`);
  }

  #finish(suffix: string): void {
    const current = this.#current;
    if (!current) return;
    if (this.#tty) this.#stderr.write(`\r\x1b[2K`);
    this.#current = undefined;
    this.#stderr.write(`${current.file} → ${current.dataset}: ${current.rowsSent}/${current.rows} rows sent${suffix}\n`);
  }

  #human(event: AgentEvent): void {
    switch (event.event) {
      case 'file_start':
        this.#current = { file: event.file, dataset: event.dataset, rowsSent: event.rowsSent, rows: event.rows };
        this.#rejections.set(event.file, 0);
        if (this.#tty) this.#redraw();
        return;
      case 'batch':
        if (this.#current) this.#current.rowsSent = event.rowsSent;
        if (this.#tty) this.#redraw();
        return;
      case 'file_done':
        if (this.#current) this.#current.rowsSent = event.rowsSent;
        this.#finish(event.rejected ? `, ${event.rejected} rejected` : '');
        return;
      case 'row_rejected': {
        const count = (this.#rejections.get(event.file) ?? 0) + 1;
        this.#rejections.set(event.file, count);
        if (count <= SHOWN_REJECTIONS) this.#line(`  ${event.file} line ${event.line}: ${event.column ? `${event.column}: ` : ''}${event.message} (${event.code})`);
        else if (count === SHOWN_REJECTIONS + 1) this.#line(`  ${event.file}: more rejected rows are only counted (use --json to list them)`);
        return;
      }
      case 'file_skipped':
        this.#line(`skipped ${event.file}: ${event.reason}`);
        return;
      case 'file_failed':
        this.#finish(' (failed)');
        this.#line(`failed ${event.file}: ${event.reason} (${event.code})`);
        return;
      case 'retry':
        this.#line(`retrying in ${Math.ceil(event.delayMs / 1000)}s: ${event.reason}`);
        return;
      case 'stopped':
        this.#finish(' (stopped; resumes from here next time)');
        this.#line(`stopped: ${event.reason}`);
        return;
      case 'revoked':
        this.#finish(' (stopped)');
        this.#line(`enclave: ${event.message}`);
        return;
      case 'pass_start':
      case 'pass_done':
        return;
    }
  }
}
