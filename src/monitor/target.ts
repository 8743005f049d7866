import type { AuditEvent } from '../audit/event.ts';

/** One SIEM the forwarder delivers to. */
export interface SiemTarget {
  name: string;
  /**
   * Resolves once the target has taken every event, in order; rejects otherwise, and then
   * none of them counts as delivered (the batch is sent again, whole, next time).
   */
  send(log: string, events: readonly AuditEvent[], signal: AbortSignal): Promise<void>;
  close(): void;
}

/**
 * A delivery failure described for the server log: only what went wrong (a status, an
 * error code), never the target's secret, URL credentials or the events themselves.
 */
export class SiemDeliveryError extends Error {
  override name = 'SiemDeliveryError';
}

/** A network error's code (ECONNREFUSED, ETIMEDOUT…) without its message, which may quote addresses or data. */
export function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    if (current.name === 'TimeoutError' || current.name === 'AbortError') return 'timeout';
    current = current.cause;
  }
  return 'network error';
}
