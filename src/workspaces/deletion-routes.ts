import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userMeta } from '../identity/routes.ts';
import type { WorkspaceDeletion } from './deletion.ts';
import { workspaceIdSchema } from './schema.ts';

const deletedSchema = z.strictObject({ id: z.string(), name: z.string(), deletedAt: z.string(), shredAfter: z.string() });
const params = z.strictObject({ workspaceId: workspaceIdSchema });

/** In the workspace scope: owners only (people with their password, see WorkspaceDeletion.delete). */
export const workspaceDeletionRoutes: FastifyPluginAsyncZod<{ deletion: WorkspaceDeletion }> = async (app, { deletion }) => {
  app.delete(
    '/',
    {
      schema: {
        tags: ['workspaces'],
        params,
        body: z.strictObject({ confirmName: z.string().min(1).max(100), password: z.string().min(1).max(128).optional() }),
        response: { 202: deletedSchema },
      },
      config: { permission: 'workspace:delete' },
    },
    async (request, reply) => {
      const deleted = await deletion.delete(request.params.workspaceId, { name: request.body.confirmName, password: request.body.password }, request.meta);
      return reply.status(202).send(deleted);
    },
  );
};

/** Outside the workspace scope, since a deleted workspace answers there as if it did not exist. */
export const deletedWorkspaceRoutes: FastifyPluginAsyncZod<{ deletion: WorkspaceDeletion }> = async (app, { deletion }) => {
  app.addHook('onRequest', async (request) => void userMeta(request));
  app.get(
    '/api/workspaces/deleted',
    { schema: { tags: ['workspaces'], response: { 200: z.strictObject({ workspaces: z.array(deletedSchema) }) } } },
    async (request) => ({ workspaces: deletion.deletedFor(userMeta(request).actor.id) }),
  );
  app.post(
    '/api/workspaces/:workspaceId/restore',
    { schema: { tags: ['workspaces'], params, response: { 204: z.null() } } },
    async (request, reply) => {
      await deletion.restore(request.params.workspaceId, userMeta(request));
      return reply.status(204).send(null);
    },
  );
};
