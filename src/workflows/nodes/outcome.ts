import type { LogLine } from '../../sandbox/types.ts';

/** What one node did, as the runner records and meters it; `tokenCredits` is what a model step's tokens cost (WFL-04). */
export type NodeOutcome =
  | { ok: true; output: unknown; httpRequests: number; logs: LogLine[]; tokenCredits?: number }
  | { ok: false; code: string; message: string; httpRequests: number; logs: LogLine[]; tokenCredits?: number };

export function succeeded(output: unknown): NodeOutcome {
  return { ok: true, output, httpRequests: 0, logs: [] };
}

export function failed(code: string, message: string): NodeOutcome {
  return { ok: false, code, message, httpRequests: 0, logs: [] };
}
