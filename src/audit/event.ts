import { randomUUID } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** `operator` is a person at the `enclave` command line; `system` is Enclave itself (sweepers, schedules). */
export const AUDIT_ACTOR_TYPES = ['user', 'api_key', 'scim_token', 'mcp_client', 'agent', 'operator', 'system'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

export interface AuditEventInput {
  actor: { type: AuditActorType; id: string };
  /** Dotted lower-case words, for example `workspace.profile.update`. */
  action: string;
  target?: { type: string; id: string } | null;
  outcome: AuditOutcome;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  /** A JSON object; already redacted by the caller. */
  details?: Readonly<Record<string, unknown>>;
}

/** An event as stored, for reading and export. */
export interface AuditEvent {
  seq: number;
  id: string;
  occurredAt: string;
  actor: { type: string; id: string };
  action: string;
  target: { type: string; id: string } | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditRecorded {
  seq: number;
  id: string;
  occurredAt: string;
  hash: string;
}

/**
 * The columns of `audit_events` in table order, hashes as hex: the writer binds rows in
 * this shape and readers get them from `raw()`, so no per-event objects are built.
 */
export type EventRow = [
  seq: number,
  id: string,
  occurredAt: string,
  actorType: string,
  actorId: string,
  action: string,
  targetType: string | null,
  targetId: string | null,
  ip: string | null,
  userAgent: string | null,
  requestId: string | null,
  outcome: string,
  details: string,
  prevHash: string,
  hash: string,
];

/** A service passed an event Enclave cannot record; a programming error, not user input. */
export class AuditEventError extends Error {
  override name = 'AuditEventError';
}

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const TARGET_TYPE = /^[a-z][a-z0-9_]*$/;
const MAX_ACTION = 128;
const MAX_ID = 256;
const MAX_DETAILS = 64 * 1024;
// Request metadata comes from the client: clip it rather than refuse it, so a client
// cannot make its own request unauditable by sending an oversized header.
const MAX_IP = 64;
const MAX_USER_AGENT = 512;
const MAX_REQUEST_ID = 128;

/**
 * Checks an event and renders it as a row whose seq and hashes are still unset (0 and
 * empty): those are assigned when the row is placed in the chain.
 */
export function prepareEvent(input: AuditEventInput, occurredAt: string): EventRow {
  if (!(AUDIT_ACTOR_TYPES as readonly string[]).includes(input.actor?.type)) {
    throw new AuditEventError(`unknown actor type ${JSON.stringify(input.actor?.type)}`);
  }
  requireId('actor id', input.actor.id);
  if (typeof input.action !== 'string' || input.action.length > MAX_ACTION || !ACTION.test(input.action)) {
    throw new AuditEventError(`action ${JSON.stringify(input.action)} is not dotted lower-case words`);
  }
  if (input.target) {
    if (typeof input.target.type !== 'string' || !TARGET_TYPE.test(input.target.type)) {
      throw new AuditEventError(`target type ${JSON.stringify(input.target.type)} is not a lower-case word`);
    }
    requireId('target id', input.target.id);
  }
  if (!(AUDIT_OUTCOMES as readonly string[]).includes(input.outcome)) {
    throw new AuditEventError(`outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`);
  }
  const details = input.details ?? {};
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new AuditEventError('details must be a JSON object');
  }
  let detailsJson: string;
  try {
    detailsJson = canonicalJson(details);
  } catch (error) {
    throw new AuditEventError(`details are not JSON: ${(error as Error).message}`);
  }
  if (Buffer.byteLength(detailsJson) > MAX_DETAILS) {
    throw new AuditEventError(`details exceed ${MAX_DETAILS} bytes`);
  }
  const target = input.target;
  // Already in column order, so placing it in the chain only fills in seq and the hashes.
  return [
    0,
    randomUUID(),
    occurredAt,
    input.actor.type,
    storable(input.actor.id),
    input.action,
    target ? target.type : null,
    target ? storable(target.id) : null,
    clip(input.ip, MAX_IP),
    clip(input.userAgent, MAX_USER_AGENT),
    clip(input.requestId, MAX_REQUEST_ID),
    input.outcome,
    detailsJson,
    '',
    '',
  ];
}

function requireId(label: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID) {
    throw new AuditEventError(`${label} must be 1–${MAX_ID} characters`);
  }
}

function clip(value: string | null | undefined, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new AuditEventError('request metadata must be text');
  return storable(value.length > max ? value.slice(0, max) : value);
}

/**
 * Lone surrogates cannot be stored as UTF-8: SQLite would keep U+FFFD while the hash
 * covered the original, and the event would later look tampered with.
 */
function storable(text: string): string {
  return text.toWellFormed();
}
