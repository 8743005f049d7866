import { hash } from 'node:crypto';
import type { EventRow } from './event.ts';

/** The `prev_hash` of event 1. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * hash = SHA-256(prev_hash as 64 hex characters || canonical JSON of every other
 * column, `seq` included), as lower-case hex. `details` enters as the exact stored
 * text, so verification never depends on re-serialising it.
 *
 * The object literal lists keys in sorted order and has no integer-like keys, so
 * `JSON.stringify` yields exactly `canonicalJson` of the same fields in one native call;
 * the verifier runs this once per row and must stay fast.
 */
export function eventHash(row: Readonly<EventRow>): string {
  const canonical = JSON.stringify({
    action: row[5],
    actor_id: row[4],
    actor_type: row[3],
    details: row[12],
    id: row[1],
    ip: row[8],
    occurred_at: row[2],
    outcome: row[11],
    request_id: row[10],
    seq: row[0],
    target_id: row[7],
    target_type: row[6],
    user_agent: row[9],
  });
  return hash('sha256', row[13] + canonical, 'hex');
}
