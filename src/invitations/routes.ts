import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userMeta } from '../identity/routes.ts';
import { membershipSchema } from '../members/schema.ts';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import { acceptInvitationSchema, createInvitationSchema, invitationIdSchema, invitationSchema, pendingInvitationSchema } from './schema.ts';
import type { InvitationService } from './service.ts';

export interface InvitationRouteOptions {
  invitations: InvitationService;
  publicOrigin: () => string;
}

const params = z.strictObject({ workspaceId: workspaceIdSchema });
const invitationParams = z.strictObject({ workspaceId: workspaceIdSchema, invitationId: invitationIdSchema });

const mailContext = (request: FastifyRequest, origin: string) => ({
  origin,
  log: (message: string, error?: unknown) => request.log.error({ err: error }, message),
});

/** A workspace's invitations; mounted behind the workspace gate. */
export const invitationRoutes: FastifyPluginAsyncZod<InvitationRouteOptions> = async (app, { invitations, publicOrigin }) => {
  app.get(
    '/invitations',
    {
      schema: { tags: ['members'], params, response: { 200: z.strictObject({ invitations: z.array(invitationSchema) }) } },
      config: { permission: 'members:manage' },
    },
    async (request) => ({ invitations: invitations.list(request.params.workspaceId) }),
  );

  app.post(
    '/invitations',
    {
      schema: { tags: ['members'], params, body: createInvitationSchema, response: { 201: invitationSchema } },
      config: { permission: 'members:manage' },
    },
    async (request, reply) =>
      reply.status(201).send(await invitations.create(request.params.workspaceId, request.body, request.meta, mailContext(request, publicOrigin()))),
  );

  app.delete(
    '/invitations/:invitationId',
    { schema: { tags: ['members'], params: invitationParams, response: { 204: z.null() } }, config: { permission: 'members:manage' } },
    async (request, reply) => {
      await invitations.revoke(request.params.workspaceId, request.params.invitationId, request.meta);
      return reply.status(204).send(null);
    },
  );
};

/** Accepting an invitation: for the signed-in person the mail was sent to. */
export const acceptInvitationRoutes: FastifyPluginAsyncZod<{ invitations: InvitationService; perIpPerMinute: number }> = async (app, options) => {
  // Who is asking is settled before the body is even looked at.
  app.addHook('onRequest', async (request) => void userMeta(request));
  app.post(
    '/api/invitations/accept',
    {
      schema: { tags: ['members'], body: acceptInvitationSchema, response: { 200: membershipSchema } },
      // WEB-05: the same stricter per-IP counter as other mailed-token routes.
      config: { rateLimit: { max: options.perIpPerMinute, timeWindow: 60_000 } },
    },
    async (request) => options.invitations.accept(request.body.token, userMeta(request)),
  );
  app.get(
    '/api/invitations',
    { schema: { tags: ['members'], response: { 200: z.strictObject({ invitations: z.array(pendingInvitationSchema) }) } } },
    async (request) => ({ invitations: options.invitations.pendingFor(userMeta(request)) }),
  );
  app.post(
    '/api/invitations/:invitationId/accept',
    {
      schema: { tags: ['members'], params: z.strictObject({ invitationId: invitationIdSchema }), response: { 200: membershipSchema } },
      config: { rateLimit: { max: options.perIpPerMinute, timeWindow: 60_000 } },
    },
    async (request) => options.invitations.acceptById(request.params.invitationId, userMeta(request)),
  );
};
