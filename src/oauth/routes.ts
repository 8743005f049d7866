import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { MCP_SCOPE_NAMES } from '../mcp/scopes.ts';
import type { OAuthInteractions } from './interactions.ts';
import { INTERACTION_PATH, OAUTH_ROUTES, PROTECTED_RESOURCE_METADATA_PATH } from './paths.ts';
import type { OAuthService } from './service.ts';

export interface OAuthRouteOptions {
  oauth: OAuthService;
  interactions: OAuthInteractions;
  registrationsPerIpPerMinute: number;
}

const uidParams = z.strictObject({ uid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const decisionSchema = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('deny') }),
  z.strictObject({ decision: z.literal('allow'), workspaceId: z.string().min(1).max(64), scopes: z.array(z.string().max(64)).min(1).max(16) }),
]);

/** The consent endpoints answer only the signed-in person; a browser without a session is sent to sign in. */
function signedIn(request: FastifyRequest) {
  const actor = request.actor;
  if (actor.type !== 'user') throw new AppError(401, 'unauthenticated', 'sign in to continue');
  return { ...request.meta, actor };
}

/**
 * The authorization server's HTTP surface (AIC-02, AIC-03): oidc-provider's own endpoints
 * are handed the raw request, and the metadata documents and consent steps are ours.
 */
export const oauthRoutes: FastifyPluginAsyncZod<OAuthRouteOptions> = async (app, options) => {
  const { oauth, interactions } = options;
  let handler: ((req: FastifyRequest['raw'], res: FastifyReply['raw']) => void) | undefined;

  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const provider = await oauth.provider();
    handler ??= provider.callback();
    // Security headers and the request id were set on the Fastify reply, which oidc-provider never sees.
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
    reply.hijack();
    handler(request.raw, reply.raw);
  };

  await app.register(async (provider) => {
    // oidc-provider reads and limits bodies itself (form-encoded and JSON), so Fastify leaves them unread.
    provider.removeAllContentTypeParsers();
    provider.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const hidden = { schema: { hide: true } };
    provider.get(OAUTH_ROUTES.authorization, hidden, forward);
    provider.get(`${OAUTH_ROUTES.authorization}/:uid`, hidden, forward);
    provider.get(OAUTH_ROUTES.jwks, hidden, forward);
    provider.get('/.well-known/openid-configuration', hidden, forward);
    // RFC 8414: the same metadata at the OAuth well-known path, which MCP clients look up first.
    provider.get('/.well-known/oauth-authorization-server', hidden, async (request, reply) => {
      request.raw.url = '/.well-known/openid-configuration';
      return forward(request, reply);
    });
    for (const path of [OAUTH_ROUTES.token, OAUTH_ROUTES.revocation]) {
      provider.post(path, hidden, forward);
      provider.options(path, hidden, forward);
    }
    provider.post(OAUTH_ROUTES.registration, { ...hidden, config: { rateLimit: { max: options.registrationsPerIpPerMinute, timeWindow: 60_000 } } }, forward);
    provider.options(OAUTH_ROUTES.registration, hidden, forward);
  });

  // RFC 9728: where MCP clients learn which authorization server protects /mcp and with what scopes.
  const resourceMetadata = async () => ({
    resource: oauth.resource,
    authorization_servers: [oauth.origin],
    scopes_supported: MCP_SCOPE_NAMES,
    bearer_methods_supported: ['header'],
    resource_name: 'Enclave MCP',
  });
  app.get(PROTECTED_RESOURCE_METADATA_PATH, { schema: { tags: ['mcp'] } }, resourceMetadata);
  app.get('/.well-known/oauth-protected-resource', { schema: { hide: true } }, resourceMetadata);

  app.get(`${INTERACTION_PATH}/:uid/details`, { schema: { tags: ['mcp'], params: uidParams } }, async (request, reply) => {
    const meta = signedIn(request);
    return interactions.details(request.params.uid, meta.actor.id, request.raw, reply.raw);
  });

  app.post(`${INTERACTION_PATH}/:uid/decision`, { schema: { tags: ['mcp'], params: uidParams, body: decisionSchema } }, async (request, reply) => {
    const meta = signedIn(request);
    return interactions.decide(request.params.uid, request.body, meta, request.raw, reply.raw);
  });
};
