import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import { apiKeyIdSchema, apiKeySchema, createApiKeySchema, createdApiKeySchema } from './schema.ts';
import type { ApiKeyService } from './service.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });

export const apiKeyRoutes: FastifyPluginAsyncZod<{ apiKeys: ApiKeyService }> = async (app, { apiKeys }) => {
  app.get(
    '/api-keys',
    {
      schema: { tags: ['api keys'], params, response: { 200: z.strictObject({ apiKeys: z.array(apiKeySchema) }) } },
      config: { permission: 'apiKeys:read' },
    },
    async (request) => ({ apiKeys: apiKeys.list(request.params.workspaceId) }),
  );

  app.get(
    '/api-keys/current',
    {
      schema: { tags: ['api keys'], params, response: { 200: apiKeySchema } },
      // Any role may see its own key: clients need to know what they are allowed to do.
      config: { permission: 'workspace:read' },
    },
    async (request) => apiKeys.get(request.params.workspaceId, request.actor.id),
  );

  app.post(
    '/api-keys',
    {
      schema: { tags: ['api keys'], params, body: createApiKeySchema, response: { 201: createdApiKeySchema } },
      config: { permission: 'apiKeys:manage' },
    },
    async (request, reply) => {
      const created = await apiKeys.create(request.params.workspaceId, request.body, request.meta);
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/api-keys/:keyId',
    {
      schema: { tags: ['api keys'], params: params.extend({ keyId: apiKeyIdSchema }), response: { 204: z.null() } },
      config: { permission: 'apiKeys:manage' },
    },
    async (request, reply) => {
      await apiKeys.revoke(request.params.workspaceId, request.params.keyId, request.meta);
      return reply.status(204).send(null);
    },
  );
};
