import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import { createdMcpTokenSchema, createMcpTokenSchema, mcpTokenIdSchema, mcpTokenSchema } from './schema.ts';
import type { McpTokenService } from './service.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });

/** AIC-05: a person's own MCP tokens for the workspace. */
export const mcpTokenRoutes: FastifyPluginAsyncZod<{ mcpTokens: McpTokenService }> = async (app, { mcpTokens }) => {
  app.get(
    '/mcp/tokens',
    { schema: { tags: ['mcp'], params, response: { 200: z.strictObject({ mcpTokens: z.array(mcpTokenSchema) }) } }, config: { permission: 'mcp:tokens' } },
    // A key or other non-person holds no personal tokens: its list is empty.
    async (request) => ({ mcpTokens: request.actor.type === 'user' ? mcpTokens.list(request.params.workspaceId, request.actor.id) : [] }),
  );

  app.post(
    '/mcp/tokens',
    {
      schema: { tags: ['mcp'], params, body: createMcpTokenSchema, response: { 201: createdMcpTokenSchema } },
      config: { permission: 'mcp:tokens' },
    },
    async (request, reply) => {
      // A token acts for a person; a key belongs to the workspace, so it cannot mint one for anybody.
      if (request.actor.type !== 'user') throw new AppError(403, 'user_session_required', 'personal MCP tokens are created by a person signed in with a session');
      const created = await mcpTokens.create(request.params.workspaceId, request.actor.id, request.body, request.meta);
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/mcp/tokens/:tokenId',
    {
      schema: { tags: ['mcp'], params: params.extend({ tokenId: mcpTokenIdSchema }), response: { 204: z.null() } },
      config: { permission: 'mcp:tokens' },
    },
    async (request, reply) => {
      await mcpTokens.revoke(request.params.workspaceId, request.params.tokenId, request.meta);
      return reply.status(204).send(null);
    },
  );
};
