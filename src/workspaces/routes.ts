import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WorkspaceService } from './service.ts';
import { profileSchema, updateProfileSchema, workspaceIdSchema, workspaceSchema } from './schema.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });

export const workspaceRoutes: FastifyPluginAsyncZod<{ workspaces: WorkspaceService }> = async (app, { workspaces }) => {
  app.get(
    '/',
    { schema: { tags: ['workspaces'], params, response: { 200: workspaceSchema } }, config: { permission: 'workspace:read' } },
    async (request) => workspaces.get(request.params.workspaceId),
  );

  app.get(
    '/profile',
    { schema: { tags: ['workspaces'], params, response: { 200: profileSchema } }, config: { permission: 'workspace:read' } },
    async (request) => workspaces.profile(request.params.workspaceId),
  );

  app.patch(
    '/profile',
    {
      schema: { tags: ['workspaces'], params, body: updateProfileSchema, response: { 200: profileSchema } },
      config: { permission: 'workspace:update' },
    },
    async (request) => workspaces.updateProfile(request.params.workspaceId, request.body, request.meta),
  );
};
