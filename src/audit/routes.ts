import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { idPattern } from '../core/ids.ts';
import type { AuditEvent } from './event.ts';
import { MAX_EVENT_PAGE, type EventFacets, type EventPage } from './store.ts';

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

/** An instant with its offset, compared as the log stores it: UTC ISO 8601 with milliseconds. */
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

const eventQuery = z.strictObject({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_EVENT_PAGE).default(100),
  action: z.string().regex(/^[a-z][a-z0-9_.-]{0,99}$/, 'must be an action name such as member.remove').optional(),
  actor: z
    .string()
    .regex(/^[a-z_]{1,32}:[^\s]{1,200}$/, 'must be type:id, for example user:abc')
    .transform((value) => {
      const at = value.indexOf(':');
      return { type: value.slice(0, at), id: value.slice(at + 1) };
    })
    .optional(),
  since: instant.optional(),
  until: instant.optional(),
});

const facetsSchema = z.strictObject({
  actions: z.array(z.string()),
  actors: z.array(z.strictObject({ type: z.string(), id: z.string() })),
});

export interface AuditRouteOptions {
  events(workspaceId: string, page: EventPage): AuditEvent[];
  facets(workspaceId: string): EventFacets;
  verify(workspaceId: string): AuditVerification;
}

export const auditRoutes: FastifyPluginAsyncZod<AuditRouteOptions> = async (app, options) => {
  app.get(
    '/audit-events',
    {
      schema: {
        tags: ['audit'],
        params,
        querystring: eventQuery,
        response: { 200: z.strictObject({ events: z.array(eventSchema), nextAfter: z.number().nullable() }) },
      },
      config: { permission: 'audit:read' },
    },
    async (request) => {
      const { after, limit, ...filter } = request.query;
      if (filter.since && filter.until && filter.since > filter.until) {
        throw new AppError(400, 'invalid_time_range', '"since" must not be later than "until"');
      }
      const events = options.events(request.params.workspaceId, { afterSeq: after, limit, ...filter });
      return { events, nextAfter: events.length === limit ? events[events.length - 1]!.seq : null };
    },
  );

  app.get(
    '/audit-events/facets',
    { schema: { tags: ['audit'], params, response: { 200: facetsSchema } }, config: { permission: 'audit:read' } },
    async (request) => options.facets(request.params.workspaceId),
  );

  app.get(
    '/audit-events/verification',
    { schema: { tags: ['audit'], params, response: { 200: verificationSchema } }, config: { permission: 'audit:read' } },
    async (request) => options.verify(request.params.workspaceId),
  );
};
