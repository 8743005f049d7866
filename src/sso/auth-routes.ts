import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { emailSchema } from '../identity/schema.ts';
import type { OpenedSession } from '../identity/service.ts';
import { bindingCookie, clearedBindingCookie } from '../oidc/browser-binding.ts';
import { samlMetadata } from './saml.ts';
import { connectionIdSchema } from './schema.ts';
import { SsoSignInFailure, type SsoSignInService } from './sign-in.ts';
import { secondFactorStep } from '../identity/second-factor-step.ts';

export interface SsoAuthRouteOptions {
  signIn: SsoSignInService;
  /** Whether a connection exists (and its domain is verified), for the metadata route. */
  connectionExists(connectionId: string): boolean;
  publicOrigin: () => string;
  /** Whether cookies carry Secure (served over HTTPS). */
  secureCookies: boolean;
  /** How long a started sign-in, and so its browser-binding cookie, lasts. */
  requestSeconds: number;
  signInPerIpPerMinute: number;
  /** The second factors a pending sign-in may be completed with, named to the dashboard's second step. */
  secondFactorMethods(userId: string): readonly string[];
}

/** The ACS route, the one route the origin check lets a cross-site POST through (see origin-check.ts). */
export const SAML_ACS_ROUTE = '/api/auth/sso/saml/:connectionId/acs';

const connectionParams = z.strictObject({ connectionId: connectionIdSchema });
/** What an IdP posts with the HTTP-POST binding. RelayState is accepted and ignored: Enclave sends none. */
const acsForm = z.strictObject({ SAMLResponse: z.string().min(1).max(1_000_000), RelayState: z.string().max(80).optional() });
/** The code the ACS hands to the same-site completion step: 32 random bytes in base64url. */
const completionQuery = z.strictObject({ code: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a completion code') });
/** The OIDC callback's query belongs to the provider and the RP library, which check it; only its size is bounded here. */
const callbackQuery = z.record(z.string().max(100), z.string().max(4000));

/**
 * The finishing routes are reached by browser navigation, so they answer with redirects:
 * into the dashboard with the new session cookie (or to the second-factor step), or back to
 * the sign-in page with a stable error code. The reason goes to the log for the operator;
 * unexpected errors are logged and show a generic code.
 */
function toSignInPage(request: FastifyRequest, reply: FastifyReply, error: unknown, secure: boolean): FastifyReply {
  if (error instanceof SsoSignInFailure) request.log.warn({ code: error.code, reason: error.message }, 'SSO sign-in refused');
  else request.log.error({ err: error }, 'SSO sign-in failed');
  const code = error instanceof SsoSignInFailure ? error.code : 'sso_failed';
  reply.removeHeader('set-cookie');
  reply.header('set-cookie', clearedBindingCookie(secure));
  return reply.redirect(`/sign-in?error=${encodeURIComponent(code)}`, 302);
}

/** Enterprise SSO sign-in (IDN-06), mounted under `/api/auth`. */
export const ssoAuthRoutes: FastifyPluginAsyncZod<SsoAuthRouteOptions> = async (app, options) => {
  const { signIn, publicOrigin, secureCookies } = options;
  const guarded = { rateLimit: { max: options.signInPerIpPerMinute, timeWindow: 60_000 } };

  async function land(request: FastifyRequest, reply: FastifyReply, finish: () => Promise<OpenedSession>): Promise<FastifyReply> {
    let opened: OpenedSession;
    try {
      opened = await finish();
    } catch (error) {
      return toSignInPage(request, reply, error, secureCookies);
    }
    // Replaces any cookie the request context set while rotating a session the browser already had.
    reply.removeHeader('set-cookie');
    reply.header('set-cookie', [opened.setCookie, clearedBindingCookie(secureCookies)]);
    return reply.redirect(opened.secondFactorPending ? secondFactorStep(options.secondFactorMethods(opened.user.id)) : '/', 302);
  }

  // Domains are not secret (they are in every address and in public DNS), and the answer
  // depends only on whether an organisation connected that domain, never on whether the
  // address has an account: an unknown person at a connected domain is sent to the IdP
  // like everyone else, and the IdP decides who they are.
  app.post(
    '/sso/start',
    {
      schema: { tags: ['identity'], body: z.strictObject({ email: emailSchema }), response: { 200: z.strictObject({ redirect: z.string() }) } },
      config: guarded,
    },
    async (request, reply) => {
      const started = await signIn.start(request.body.email, publicOrigin());
      reply.header('set-cookie', bindingCookie(started.browserBinding, secureCookies, options.requestSeconds));
      return { redirect: started.url.href };
    },
  );

  app.get(
    '/sso/oidc/callback',
    { schema: { tags: ['identity'], querystring: callbackQuery, response: { 302: z.null() } }, config: guarded },
    async (request, reply) => {
      const callbackUrl = new URL(request.url, publicOrigin());
      return land(request, reply, () => signIn.finishOidc(callbackUrl, request.headers.cookie, publicOrigin(), request.meta));
    },
  );

  app.get('/sso/saml/:connectionId/metadata', { schema: { tags: ['identity'], params: connectionParams } }, async (request, reply) => {
    if (!options.connectionExists(request.params.connectionId)) throw new AppError(404, 'connection_not_found', 'no such SSO connection');
    reply.type('application/samlmetadata+xml; charset=utf-8');
    return samlMetadata(request.params.connectionId, publicOrigin());
  });

  // A top-level GET after the ACS's redirect, so the SameSite=Lax binding cookie comes along.
  app.get(
    '/sso/saml/complete',
    { schema: { tags: ['identity'], querystring: completionQuery, response: { 302: z.null() } }, config: guarded },
    async (request, reply) => land(request, reply, () => signIn.completeSaml(request.query.code, request.headers.cookie, request.meta)),
  );

  await app.register(acsRoute, { signIn, publicOrigin, secureCookies, guarded });
};

interface AcsRouteOptions {
  signIn: SsoSignInService;
  publicOrigin: () => string;
  secureCookies: boolean;
  guarded: { rateLimit: { max: number; timeWindow: number } };
}

/**
 * Only here does Enclave read HTML-form bodies: it is how the SAML HTTP-POST binding
 * delivers the IdP's answer. The parser is registered in this plugin alone, so no other
 * route accepts a form; URLSearchParams is the platform's own parser, no plugin needed.
 */
const acsRoute: FastifyPluginAsyncZod<AcsRouteOptions> = async (app, options) => {
  const { signIn, publicOrigin } = options;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.post(
    '/sso/saml/:connectionId/acs',
    { schema: { tags: ['identity'], params: connectionParams, body: acsForm, response: { 303: z.null() } }, config: options.guarded },
    async (request, reply) => {
      try {
        const code = await signIn.acceptSaml(request.params.connectionId, request.body.SAMLResponse, publicOrigin(), request.meta);
        // 303: the browser follows with a GET, whatever method brought it here.
        return reply.redirect(`/api/auth/sso/saml/complete?${new URLSearchParams({ code })}`, 303);
      } catch (error) {
        return toSignInPage(request, reply, error, options.secureCookies);
      }
    },
  );
};
