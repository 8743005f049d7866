import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idPattern } from '../core/ids.ts';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import type { AlertService } from './service.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });
const alertSchema = z.strictObject({
  id: z.string(),
  rule: z.string(),
  subject: z.string(),
  details: z.record(z.string(), z.unknown()),
  raisedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
});

export const alertRoutes: FastifyPluginAsyncZod<{ alerts: AlertService }> = async (app, { alerts }) => {
  app.get(
    '/alerts',
    { schema: { tags: ['alerts'], params, response: { 200: z.strictObject({ alerts: z.array(alertSchema) }) } }, config: { permission: 'audit:read' } },
    async (request) => ({ alerts: alerts.list(request.params.workspaceId) }),
  );

  app.post(
    '/alerts/:alertId/acknowledge',
    {
      schema: { tags: ['alerts'], params: params.extend({ alertId: z.string().regex(idPattern('alrt'), 'must be an alert id') }), response: { 200: alertSchema } },
      config: { permission: 'alerts:manage' },
    },
    async (request) => alerts.acknowledge(request.params.workspaceId, request.params.alertId, request.actor),
  );
};
