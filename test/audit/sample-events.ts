import type { AuditEventInput } from '../../src/audit/event.ts';

/** A realistic event; `n` varies the details so every row hashes differently. */
export function sampleEvent(actorId: string, n: number): AuditEventInput {
  return {
    actor: { type: 'user', id: actorId },
    action: 'workspace.profile.update',
    target: { type: 'workspace', id: 'ws_alpha' },
    outcome: 'success',
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
    requestId: `req_${n}`,
    details: { changed: ['name'], n },
  };
}
