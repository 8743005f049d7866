import type { AuditEventInput } from '../audit/event.ts';
import { redactValue } from '../core/redact/index.ts';
import type { RequestMeta } from './actor.ts';

/** Builds an audit event from the request that caused it, so every service records the same fields. */
export function auditEvent(
  meta: RequestMeta,
  action: string,
  target: { type: string; id: string },
  details: Record<string, unknown> = {},
  outcome: AuditEventInput['outcome'] = 'success',
): AuditEventInput {
  const actor = meta.actor;
  return {
    actor: actor.type === 'anonymous' ? { type: 'system', id: 'anonymous' } : { type: actor.type, id: actor.id },
    action,
    target,
    outcome,
    ip: meta.ip ?? null,
    userAgent: meta.userAgent ?? null,
    requestId: meta.requestId ?? null,
    details: redactValue(details) as Record<string, unknown>,
  };
}
