import type { LogLine } from './types.ts';

const LEVELS = new Set<LogLine['level']>(['log', 'info', 'warn', 'error', 'debug']);

/** Console output of one step, capped in bytes; what does not fit is dropped, not an error. */
export class LogBuffer {
  readonly lines: LogLine[] = [];
  truncated = false;
  #remaining: number;

  constructor(limitBytes: number) {
    this.#remaining = limitBytes;
  }

  add(level: string, message: string): void {
    if (this.truncated || !LEVELS.has(level as LogLine['level'])) return;
    const bytes = Buffer.byteLength(message, 'utf8');
    if (bytes <= this.#remaining) {
      this.#remaining -= bytes;
      this.lines.push({ level: level as LogLine['level'], message });
      return;
    }
    // Cut on a character boundary: decoding a byte prefix drops a split character's tail.
    const kept = Buffer.from(message, 'utf8').subarray(0, this.#remaining).toString('utf8').replace(/\uFFFD$/, '');
    if (kept.length > 0) this.lines.push({ level: level as LogLine['level'], message: kept });
    this.#remaining = 0;
    this.truncated = true;
  }
}
