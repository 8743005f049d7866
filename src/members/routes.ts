import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userMeta } from '../identity/routes.ts';
import { authIdSchema } from '../identity/schema.ts';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import { changeRoleSchema, createWorkspaceSchema, memberSchema, membershipSchema } from './schema.ts';
import type { MemberService } from './service.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });
const memberParams = z.strictObject({ workspaceId: workspaceIdSchema, userId: authIdSchema });

/** Members of the workspace in the path; mounted behind the workspace gate. */
export const memberRoutes: FastifyPluginAsyncZod<{ members: MemberService }> = async (app, { members }) => {
  app.get(
    '/members',
    {
      schema: { tags: ['members'], params, response: { 200: z.strictObject({ members: z.array(memberSchema) }) } },
      config: { permission: 'members:read' },
    },
    async (request) => ({ members: members.list(request.params.workspaceId) }),
  );

  app.patch(
    '/members/:userId',
    {
      schema: { tags: ['members'], params: memberParams, body: changeRoleSchema, response: { 200: memberSchema } },
      config: { permission: 'members:manage' },
    },
    async (request) => members.changeRole(request.params.workspaceId, request.params.userId, request.body.role, request.meta),
  );

  app.delete(
    '/members/:userId',
    { schema: { tags: ['members'], params: memberParams, response: { 204: z.null() } }, config: { permission: 'members:manage' } },
    async (request, reply) => {
      await members.remove(request.params.workspaceId, request.params.userId, request.meta);
      return reply.status(204).send(null);
    },
  );
};

/** The signed-in person's own workspaces: the ones they belong to, and new ones they create. */
export const myWorkspaceRoutes: FastifyPluginAsyncZod<{ members: MemberService }> = async (app, { members }) => {
  // Who is asking is settled before the body is even looked at.
  app.addHook('onRequest', async (request) => void userMeta(request));
  app.get(
    '/api/workspaces',
    { schema: { tags: ['workspaces'], response: { 200: z.strictObject({ workspaces: z.array(membershipSchema) }) } } },
    async (request) => ({ workspaces: members.workspacesOf(userMeta(request).actor.id) }),
  );

  app.post(
    '/api/workspaces',
    { schema: { tags: ['workspaces'], body: createWorkspaceSchema, response: { 201: membershipSchema } } },
    async (request, reply) => reply.status(201).send(await members.createWorkspace(request.body.name, userMeta(request))),
  );
};
