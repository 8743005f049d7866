import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../access/actor.ts';
import { can, type Role } from '../access/permissions.ts';
import { MCP_SCOPE_NAMES } from '../mcp/scopes.ts';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import type { OAuthService } from './service.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });
const clientSchema = z.strictObject({
  id: z.string(),
  clientId: z.string(),
  clientName: z.string(),
  userEmail: z.string().nullable(),
  scopes: z.array(z.enum(MCP_SCOPE_NAMES as [string, ...string[]])),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

export interface McpClientRouteOptions {
  oauth: OAuthService;
  roleIn(workspaceId: string, actor: Actor): Role | undefined;
}

/** AIC-06: the AI clients connected to a workspace, and revoking them; managers see and revoke everyone's. */
export const mcpClientRoutes: FastifyPluginAsyncZod<McpClientRouteOptions> = async (app, { oauth, roleIn }) => {
  const viewer = (workspaceId: string, actor: Actor) => {
    const role = roleIn(workspaceId, actor);
    return { userId: actor.type === 'user' ? actor.id : undefined, all: role !== undefined && can(role, 'members:manage') };
  };

  app.get(
    '/mcp/clients',
    { schema: { tags: ['mcp'], params, response: { 200: z.strictObject({ clients: z.array(clientSchema) }) } }, config: { permission: 'mcp:clients' } },
    async (request) => ({ clients: oauth.list(request.params.workspaceId, viewer(request.params.workspaceId, request.actor)) }),
  );

  app.delete(
    '/mcp/clients/:grantId',
    {
      schema: { tags: ['mcp'], params: params.extend({ grantId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }), response: { 204: z.null() } },
      config: { permission: 'mcp:clients' },
    },
    async (request, reply) => {
      const { workspaceId, grantId } = request.params;
      await oauth.revoke(workspaceId, grantId, viewer(workspaceId, request.actor), request.meta);
      return reply.status(204).send(null);
    },
  );
};
