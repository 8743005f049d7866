import { canonicalJson } from '../../src/audit/canonical-json.ts';
import { GENESIS_HASH, chainHash, eventJson } from '../../src/audit/chain.ts';
import type { AuditEvent } from '../../src/audit/event.ts';

/**
 * Recomputes every hash of exported events the way src/audit/chain.ts defines it, from the
 * exported fields alone (details back to their canonical text), and checks each event
 * follows the one before. Returns the seq of the first event that does not, or undefined.
 */
export function firstBrokenSeq(events: readonly AuditEvent[], firstPrevHash = GENESIS_HASH): number | undefined {
  let prevHash = firstPrevHash;
  let prevSeq = events[0] ? events[0].seq - 1 : 0;
  for (const event of events) {
    const row = [
      event.seq, event.id, event.occurredAt, event.actor.type, event.actor.id, event.action,
      event.target?.type ?? null, event.target?.id ?? null, event.ip, event.userAgent, event.requestId,
      event.outcome, canonicalJson(event.details), event.prevHash, event.hash,
    ] as const;
    if (event.seq !== prevSeq + 1 || event.prevHash !== prevHash || chainHash(event.prevHash, eventJson(row as never)) !== event.hash) return event.seq;
    prevHash = event.hash;
    prevSeq = event.seq;
  }
  return undefined;
}

/** A JSON-lines body as events; every line must be a whole JSON object. */
export function parseLines(body: string): AuditEvent[] {
  if (body === '') return [];
  if (!body.endsWith('\n')) throw new Error('JSON lines end with a newline');
  return body.slice(0, -1).split('\n').map((line) => JSON.parse(line) as AuditEvent);
}
