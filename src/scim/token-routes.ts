import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import { createdScimTokenSchema, createScimTokenSchema, scimTokenIdSchema, scimTokenSchema } from './schema.ts';
import type { ScimTokenService } from './token-service.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });

/** A workspace's SCIM tokens (IDN-06), behind the workspace gate: owners only, since a token provisions people. */
export const scimTokenRoutes: FastifyPluginAsyncZod<{ scimTokens: ScimTokenService }> = async (app, { scimTokens }) => {
  app.get(
    '/scim/tokens',
    { schema: { tags: ['scim'], params, response: { 200: z.strictObject({ scimTokens: z.array(scimTokenSchema) }) } }, config: { permission: 'scim:manage' } },
    async (request) => ({ scimTokens: scimTokens.list(request.params.workspaceId) }),
  );

  app.post(
    '/scim/tokens',
    { schema: { tags: ['scim'], params, body: createScimTokenSchema, response: { 201: createdScimTokenSchema } }, config: { permission: 'scim:manage' } },
    async (request, reply) => reply.status(201).send(await scimTokens.create(request.params.workspaceId, request.body, request.meta)),
  );

  app.delete(
    '/scim/tokens/:scimTokenId',
    {
      schema: { tags: ['scim'], params: params.extend({ scimTokenId: scimTokenIdSchema }), response: { 204: z.null() } },
      config: { permission: 'scim:manage' },
    },
    async (request, reply) => {
      await scimTokens.revoke(request.params.workspaceId, request.params.scimTokenId, request.meta);
      return reply.status(204).send(null);
    },
  );
};
