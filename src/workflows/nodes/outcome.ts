import type { LogLine } from '../../sandbox/types.ts';

/** What one node did, as the runner records and meters it. */
export type NodeOutcome =
  | { ok: true; output: unknown; httpRequests: number; logs: LogLine[] }
  | { ok: false; code: string; message: string; httpRequests: number; logs: LogLine[] };

export function succeeded(output: unknown): NodeOutcome {
  return { ok: true, output, httpRequests: 0, logs: [] };
}

export function failed(code: string, message: string): NodeOutcome {
  return { ok: false, code, message, httpRequests: 0, logs: [] };
}
