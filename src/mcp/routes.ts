import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { AppError } from '../core/errors.ts';
import type { AuditLog } from '../audit/log.ts';
import { MCP_PATH, PROTECTED_RESOURCE_METADATA_PATH } from '../oauth/paths.ts';
import { mcpChallenge, usableScopes, type McpAccessDeps, type McpActor } from './access.ts';
import { auditToolCall, mcpServer, type McpCallContext } from './server.ts';
import type { McpTool } from './tools/tool.ts';

export interface McpRouteOptions {
  tools: readonly McpTool[];
  access: McpAccessDeps;
  workspaceAudit(workspaceId: string): AuditLog;
  /** The public origin first; its hosts are the only Host headers /mcp answers (DNS rebinding). */
  allowedOrigins(): readonly string[];
  /** The per-actor rate limit every authenticated route shares. */
  limitActor: onRequestAsyncHookHandler;
  version: string;
}

interface JsonRpcMessage {
  id?: unknown;
  method?: unknown;
  params?: { name?: unknown; arguments?: unknown };
}

/** A tool result in a JSON-RPC response: what a refused input looks like to the client (a tool error, not a protocol one). */
function toolError(id: unknown, code: string, message: string) {
  return { jsonrpc: '2.0', id, result: { isError: true, content: [{ type: 'text', text: JSON.stringify({ error: { code, message } }) }] } };
}

function hostAllowed(host: string | undefined, origins: readonly string[]): boolean {
  return host !== undefined && origins.some((origin) => new URL(origin).host === host.toLowerCase());
}

/** The Fastify request as the Web Request the SDK's transport reads; the body is handed over already parsed. */
function webRequest(request: FastifyRequest, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'content-length') continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return new Request(`${origin}${MCP_PATH}`, { method: 'POST', headers });
}

/**
 * AIC-01, AIC-06, AIC-07: the MCP endpoint, Streamable HTTP without sessions — every POST
 * carries its bearer token and gets a fresh server holding just the tools that token may
 * use now. No GET stream and no DELETE: there is no session to stream on or end.
 */
export const mcpRoutes: FastifyPluginAsync<McpRouteOptions> = async (app, options) => {
  const publicOrigin = () => options.allowedOrigins()[0] ?? '';

  app.addHook('onRequest', async (request) => {
    // DNS rebinding: a page on another name that resolves here must not reach the endpoint. Origin is checked by origin-check.ts.
    // Not the SDK's hostHeaderValidation: it answers on the raw response, outside our error format, logging and headers.
    if (!hostAllowed(request.headers.host, options.allowedOrigins())) throw new AppError(403, 'host_not_allowed', 'this host name does not serve MCP');
    if (request.actor.type !== 'mcp_client') {
      throw new AppError(401, 'unauthenticated', 'the MCP endpoint needs a bearer token for an MCP client', { 'www-authenticate': mcpChallenge(publicOrigin()) });
    }
  });
  app.addHook('onRequest', options.limitActor);

  const notAllowed = async (_request: FastifyRequest, reply: FastifyReply) => {
    reply.header('allow', 'POST');
    throw new AppError(405, 'method_not_allowed', 'this MCP endpoint is stateless: send every message with POST');
  };
  app.get(MCP_PATH, { schema: { hide: true } }, notAllowed);
  app.delete(MCP_PATH, { schema: { hide: true } }, notAllowed);

  app.post(MCP_PATH, { schema: { hide: true } }, async (request, reply) => {
    const actor = request.actor as McpActor;
    const context: McpCallContext = {
      actor,
      meta: request.meta,
      scopes: usableScopes(actor, options.access, publicOrigin()),
      audit: options.workspaceAudit(actor.workspaceId),
      logError: (error, tool) => request.log.error({ err: error, tool }, 'MCP tool failed'),
    };
    // AIC-07: a call to a tool the token was not granted is refused at the HTTP level, so clients can step up their scopes.
    // The SDK's per-tool scopeChallenge cannot do this: such a tool is not even registered on this request's server.
    const messages = (Array.isArray(request.body) ? request.body : [request.body]) as JsonRpcMessage[];
    for (const message of messages) {
      if (message?.method !== 'tools/call' || typeof message.params?.name !== 'string') continue;
      const tool = options.tools.find((candidate) => candidate.name === message.params!.name);
      if (tool === undefined || context.scopes.includes(tool.scope)) continue;
      const granted = actor.scopes.includes(tool.scope);
      await auditToolCall(context, tool.name, 'denied', { error: granted ? 'forbidden' : 'insufficient_scope' });
      if (granted) throw new AppError(403, 'forbidden', 'your role in this workspace no longer allows this tool');
      throw new AppError(403, 'insufficient_scope', `this token lacks the ${tool.scope} scope`, {
        'www-authenticate': `Bearer error="insufficient_scope", scope="${tool.scope}", resource_metadata="${publicOrigin()}${PROTECTED_RESOURCE_METADATA_PATH}"`,
      });
    }
    // Bad arguments get a stable code of ours rather than the SDK's free text (checked again by the SDK for batches).
    const single = Array.isArray(request.body) ? undefined : (request.body as JsonRpcMessage | undefined);
    const called = single?.method === 'tools/call' ? options.tools.find((candidate) => candidate.name === single.params?.name) : undefined;
    if (single !== undefined && called !== undefined) {
      const checked = called.inputSchema.safeParse(single.params?.arguments ?? {});
      if (!checked.success) {
        await auditToolCall(context, called.name, 'failure', { error: 'invalid_input' });
        const problems = checked.error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; ');
        return reply.send(toolError(single.id ?? null, 'invalid_input', problems));
      }
    }

    const server = mcpServer(options.tools, context, options.version);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    try {
      await server.connect(transport);
      const response = await transport.handleRequest(webRequest(request, publicOrigin()), { parsedBody: request.body });
      reply.status(response.status);
      for (const [name, value] of response.headers) reply.header(name, value);
      return reply.send(await response.text());
    } finally {
      await server.close();
    }
  });
};
