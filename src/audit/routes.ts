import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idPattern } from '../core/ids.ts';
import type { AuditEvent } from './event.ts';
import { MAX_EVENT_PAGE } from './store.ts';

const params = z.strictObject({ workspaceId: z.string().regex(idPattern('ws'), 'must be a workspace id') });

const eventSchema = z.strictObject({
  seq: z.number(),
  id: z.string(),
  occurredAt: z.string(),
  actor: z.strictObject({ type: z.string(), id: z.string() }),
  action: z.string(),
  target: z.strictObject({ type: z.string(), id: z.string() }).nullable(),
  outcome: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});

export const verificationSchema = z.strictObject({
  ok: z.boolean(),
  events: z.number(),
  checkpoints: z.number(),
  firstBadSeq: z.number().optional(),
  problem: z.string().optional(),
});
export type AuditVerification = z.infer<typeof verificationSchema>;

export interface AuditRouteOptions {
  events(workspaceId: string, page: { afterSeq: number; limit: number }): AuditEvent[];
  verify(workspaceId: string): AuditVerification;
}

export const auditRoutes: FastifyPluginAsyncZod<AuditRouteOptions> = async (app, options) => {
  app.get(
    '/audit-events',
    {
      schema: {
        tags: ['audit'],
        params,
        querystring: z.strictObject({
          after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
          limit: z.coerce.number().int().min(1).max(MAX_EVENT_PAGE).default(100),
        }),
        response: { 200: z.strictObject({ events: z.array(eventSchema), nextAfter: z.number().nullable() }) },
      },
      config: { permission: 'audit:read' },
    },
    async (request) => {
      const { after, limit } = request.query;
      const events = options.events(request.params.workspaceId, { afterSeq: after, limit });
      return { events, nextAfter: events.length === limit ? events[events.length - 1]!.seq : null };
    },
  );

  app.get(
    '/audit-events/verification',
    { schema: { tags: ['audit'], params, response: { 200: verificationSchema } }, config: { permission: 'audit:read' } },
    async (request) => options.verify(request.params.workspaceId),
  );
};
