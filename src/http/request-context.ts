import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ANONYMOUS, type Actor } from '../access/actor.ts';
import { AppError } from '../core/errors.ts';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;

export interface Authenticator {
  authenticate(token: string): Actor | undefined | Promise<Actor | undefined>;
}

export interface SessionResolver {
  /** The person a session cookie stands for, and a Set-Cookie line when the request rotated its token. */
  resolve(cookieHeader: string): { actor: Actor; setCookie?: string } | undefined;
}

function workspaceOf(actor: Actor): string | null {
  return actor.type === 'api_key' || actor.type === 'scim_token' || actor.type === 'agent' || actor.type === 'mcp_client' ? actor.workspaceId : null;
}

/**
 * Gives every request its actor and meta, and a logger whose every line names the request
 * id, the workspace and the actor (LOG-04). A presented bearer credential that does not
 * work is refused here, before anything else looks at the request. Without one, a session
 * cookie names the person; a cookie that does not work leaves the request anonymous, so a
 * stale cookie never locks anyone out of the sign-in page.
 */
export function registerRequestContext(
  app: FastifyInstance,
  authenticator: Authenticator,
  sessions: SessionResolver,
  /** The WWW-Authenticate a refused bearer gets; a protected resource (the MCP endpoint) names its metadata there (AIC-01). */
  challenge: (request: FastifyRequest) => string = () => 'Bearer error="invalid_token"',
): void {
  app.decorateRequest('actor', null as never);
  app.decorateRequest('meta', null as never);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const authorization = request.headers.authorization;
    const token = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    let actor = token === undefined ? undefined : await authenticator.authenticate(token);
    if (authorization === undefined && request.headers.cookie !== undefined) {
      const session = sessions.resolve(request.headers.cookie);
      actor = session?.actor;
      if (session?.setCookie) reply.header('set-cookie', session.setCookie);
    }
    const known = actor ?? ANONYMOUS;
    request.actor = known;
    request.meta = { actor: known, requestId: request.id, ip: request.ip, userAgent: request.headers['user-agent'] };
    // One child logger per request: creating one serializes its bindings.
    request.log = request.log.child({ workspace: workspaceOf(known), actor: known.id, actorType: known.type });
    if (authorization !== undefined && actor === undefined) {
      throw new AppError(401, 'invalid_token', 'the credential presented is not valid', { 'www-authenticate': challenge(request) });
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: paths and query strings carry whatever clients put there.
    request.log.info(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });
}
