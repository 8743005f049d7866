import { hash } from 'node:crypto';
import type { EventRow } from './event.ts';

/** The `prev_hash` of event 1. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * hash = SHA-256(prev_hash as 64 lower-case hex characters || the event's JSON), as
 * lower-case hex, where the event's JSON is the array of every other column in table
 * order: [seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id,
 * ip, user_agent, request_id, outcome, details]. `details` enters as the exact stored
 * text, so verification never depends on re-serialising it. An array rather than an
 * object with named keys: the order is fixed by this definition, and leaving out
 * thirteen key names makes verifying an event about a tenth cheaper.
 */
export function chainHash(prevHash: string, eventJson: string): string {
  return hashOfInput(prevHash + eventJson);
}

/** The hash of an event from its whole hash input, `prev_hash || event JSON`. */
export function hashOfInput(input: string): string {
  return hash('sha256', input, 'hex');
}

export function eventHash(row: Readonly<EventRow>): string {
  return chainHash(row[13], eventJson(row));
}

export function eventJson(row: Readonly<EventRow>): string {
  return JSON.stringify([row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[11], row[12]]);
}

/**
 * The same JSON, built by SQLite from the stored columns. SQLite escapes strings exactly
 * as `JSON.stringify` does (test/audit/canonical.test.ts holds the two to that), and a
 * difference could only ever make an event fail verification, never pass wrongly.
 */
export const EVENT_JSON_SQL =
  'json_array(seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, ip, user_agent, request_id, outcome, details)';

/**
 * An event's whole hash input, built in SQLite. The verifier reads it as one value
 * instead of fourteen: every value crossing into JavaScript costs more than it does to
 * render it in C.
 */
export const HASH_INPUT_SQL = `lower(hex(prev_hash)) || ${EVENT_JSON_SQL}`;

/**
 * Whether a hash input from `HASH_INPUT_SQL` starts with exactly `prevHash`: hex never
 * contains `[`, so the event's JSON must begin right after it, and a longer prev_hash
 * cannot pass for this one.
 */
export function inputFollows(input: string, prevHash: string): boolean {
  return input.startsWith(prevHash) && input.charCodeAt(prevHash.length) === 0x5b;
}
