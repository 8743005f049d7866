import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { bindingCookie, clearedBindingCookie } from './browser-binding.ts';
import { PENDING_LOGIN_SECONDS } from './pending-login-store.ts';
import { OidcLoginError } from './relying-party.ts';
import type { OidcSignInService } from './sign-in.ts';
import { secondFactorStep } from '../identity/second-factor-step.ts';

export interface OidcRouteOptions {
  oidc: OidcSignInService;
  publicOrigin: () => string;
  /** Whether cookies carry Secure (served over HTTPS). */
  secureCookies: boolean;
  signInPerIpPerMinute: number;
  /** The second factors a pending sign-in may be completed with, named to the dashboard's second step. */
  secondFactorMethods(userId: string): readonly string[];
}

const providerParams = z.strictObject({ provider: z.string().min(1).max(64) });

/**
 * The callback's query is the provider's to shape (Google adds `authuser`, `hd`, `prompt`…),
 * so it is not declared: the relying party reads what it needs from the raw URL and checks it.
 */
const providerQuery = z.record(z.string(), z.unknown());

/**
 * The browser arrived by navigation, so a refusal is a page, not JSON: the sign-in page
 * shows the code. The log gets the code and openid-client's reason, never the provider's words.
 */
function toSignInPage(request: FastifyRequest, reply: FastifyReply, error: unknown, secure: boolean): FastifyReply {
  if (!(error instanceof AppError)) throw error;
  const reason = error instanceof OidcLoginError ? error.reason : undefined;
  request.log.warn({ provider: (request.params as { provider: string }).provider, code: error.code, reason }, 'oidc sign-in refused');
  reply.header('set-cookie', clearedBindingCookie(secure));
  return reply.redirect(`/sign-in?error=${encodeURIComponent(error.code)}`, 302);
}

/** IDN-03: sign-in with the configured OpenID providers. */
export const oidcRoutes: FastifyPluginAsyncZod<OidcRouteOptions> = async (app, options) => {
  const { oidc, secureCookies } = options;
  // WEB-05: the same stricter per-IP counter as every other sign-in route.
  const guarded = { rateLimit: { max: options.signInPerIpPerMinute, timeWindow: 60_000 } };

  app.get(
    '/providers',
    { schema: { tags: ['identity'], response: { 200: z.strictObject({ providers: z.array(z.strictObject({ id: z.string(), label: z.string() })) }) } } },
    async () => ({ providers: oidc.list() }),
  );

  app.get(
    '/oidc/:provider/start',
    { schema: { tags: ['identity'], params: providerParams, querystring: z.strictObject({}), response: { 302: z.null() } }, config: guarded },
    async (request, reply) => {
      // An unknown provider is a plain 404 (provider_not_found), not a trip to the sign-in page.
      oidc.provider(request.params.provider);
      try {
        const started = await oidc.start(request.params.provider, options.publicOrigin(), request.meta);
        reply.header('set-cookie', bindingCookie(started.browserBinding, secureCookies, PENDING_LOGIN_SECONDS));
        return reply.redirect(started.url.href, 302);
      } catch (error) {
        return toSignInPage(request, reply, error, secureCookies);
      }
    },
  );

  app.get(
    '/oidc/:provider/callback',
    { schema: { tags: ['identity'], params: providerParams, querystring: providerQuery, response: { 302: z.null() } }, config: guarded },
    async (request, reply) => {
      oidc.provider(request.params.provider);
      const origin = options.publicOrigin();
      try {
        const opened = await oidc.finish(request.params.provider, new URL(request.url, origin), request.headers.cookie, origin, request.meta);
        // Replaces any cookie the request context set while rotating a session the browser already had.
        reply.removeHeader('set-cookie');
        reply.header('set-cookie', [opened.setCookie, clearedBindingCookie(secureCookies)]);
        return reply.redirect(opened.secondFactorPending ? secondFactorStep(options.secondFactorMethods(opened.user.id)) : '/', 302);
      } catch (error) {
        return toSignInPage(request, reply, error, secureCookies);
      }
    },
  );
};
