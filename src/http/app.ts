import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { ServerOptions as HttpsOptions } from 'node:https';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import { apiKeyRoutes } from '../api-keys/routes.ts';
import { auditRoutes } from '../audit/routes.ts';
import { servesHttps } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { devOutboxRoutes } from '../email/routes.ts';
import { acceptInvitationRoutes, invitationRoutes } from '../invitations/routes.ts';
import { linkRoutes } from '../identity/magic-link-routes.ts';
import { identityRoutes } from '../identity/routes.ts';
import { memberRoutes, myWorkspaceRoutes } from '../members/routes.ts';
import { mfaRoutes, workspaceSecurityRoutes } from '../mfa/routes.ts';
import type { Platform } from '../platform/platform.ts';
import { setupRoutes } from '../setup/routes.ts';
import { vaultRoutes } from '../vault/routes.ts';
import { workspaceRoutes } from '../workspaces/routes.ts';
import { registerDashboard } from './dashboard.ts';
import { frameworkErrorHandler, registerErrorHandling } from './errors.ts';
import { openApiRoute, registerOpenApi } from './openapi.ts';
import { registerOriginCheck } from './origin-check.ts';
import { publicRoutes } from './public-routes.ts';
import { actorRateLimit, registerRateLimits } from './rate-limits.ts';
import { registerRequestContext } from './request-context.ts';
import { headerWriter, registerSecurityHeaders, securityHeaders } from './security-headers.ts';
import './types.ts';
import { requireDeclaredPermissions, workspaceGate } from './workspace-scope.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const policyText = readFileSync(new URL('../../SECURITY.md', import.meta.url), 'utf8');

export interface AppOptions {
  platform: Platform;
  logger: Logger;
  /** The origins browsers may send state-changing requests from; known only once listening. */
  allowedOrigins: () => readonly string[];
  https?: HttpsOptions;
}

/**
 * A second counter beside the per-IP one, keyed by the normalised address once the body
 * is parsed. @fastify/rate-limit runs only one of its hooks per request, hence its
 * limiter function rather than a second hook.
 */
function magicLinkPerEmail(app: FastifyInstance, max: number) {
  const limit = app.createRateLimit({ max, timeWindow: 3_600_000, keyGenerator: (request) => `magic-link:${(request.body as { email: string }).email}` });
  return async (request: FastifyRequest) => {
    const result = await limit(request);
    // isAllowed means allow-listed; the count decides through isExceeded.
    if (!result.isAllowed && result.isExceeded) {
      const after = String(result.ttlInSeconds);
      throw new AppError(429, 'rate_limited', `too many sign-in links asked for; retry in ${after} seconds`, { 'retry-after': after });
    }
  };
}

/** The one place that wires the HTTP layer: every concern is a plugin or hook registered here, in order. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { platform } = options;
  const config = platform.config;
  const headers = securityHeaders({ https: Boolean(options.https) || servesHttps(config) });
  const app = Fastify({
    loggerInstance: options.logger,
    // request-context.ts logs one line per request itself, with workspace and actor bound.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: frameworkErrorHandler(headerWriter(headers)),
    genReqId: () => newId('req'),
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    bodyLimit: 1024 * 1024,
    ...(options.https ? { https: options.https } : {}),
    routerOptions: { maxParamLength: 200 },
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  registerSecurityHeaders(app, headers);
  registerRequestContext(app, platform.apiKeys, platform.sessions);
  registerOriginCheck(app, options.allowedOrigins);
  await registerRateLimits(app, config.rateLimit);
  registerErrorHandling(app, app.rateLimit());
  await registerOpenApi(app, packageJson.version);
  requireDeclaredPermissions(app);
  const publicOrigin = () => options.allowedOrigins()[0] ?? '';

  await app.register(publicRoutes, {
    version: packageJson.version,
    mode: config.mode,
    securityContact: config.securityContact,
    publicOrigin,
    policyText,
  });
  openApiRoute(app);

  await app.register(identityRoutes, {
    prefix: '/api/auth',
    identity: platform.identity,
    sessions: platform.sessions,
    publicOrigin,
    signInPerIpPerMinute: config.rateLimit.signInPerIpPerMinute,
  });

  await app.register(setupRoutes, { prefix: '/api/setup', setup: platform.setup, perIpPerMinute: config.rateLimit.signInPerIpPerMinute });

  await app.register(mfaRoutes, { prefix: '/api/auth/mfa', mfa: platform.mfa, perIpPerMinute: config.rateLimit.signInPerIpPerMinute });

  await app.register(linkRoutes, {
    prefix: '/api/auth',
    magicLinks: platform.magicLinks,
    emailVerification: platform.emailVerification,
    publicOrigin,
    signInPerIpPerMinute: config.rateLimit.signInPerIpPerMinute,
    perEmailLimit: magicLinkPerEmail(app, config.rateLimit.magicLinkPerEmailPerHour),
  });
  // Development without SMTP only: everywhere else /api/dev/outbox does not exist (404).
  if (platform.devOutbox) await app.register(devOutboxRoutes, { outbox: platform.devOutbox });

  const limitActor = actorRateLimit(app, config.rateLimit);
  await app.register(async (scope) => {
    scope.addHook('onRequest', limitActor);
    await scope.register(myWorkspaceRoutes, { members: platform.members });
    await scope.register(acceptInvitationRoutes, { invitations: platform.invitations, perIpPerMinute: config.rateLimit.signInPerIpPerMinute });
  });
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', workspaceGate(platform.members, platform.mfa));
      scope.addHook('onRequest', limitActor);
      await scope.register(workspaceRoutes, { workspaces: platform.workspaces });
      await scope.register(memberRoutes, { members: platform.members });
      await scope.register(invitationRoutes, { invitations: platform.invitations, publicOrigin });
      await scope.register(workspaceSecurityRoutes, { mfa: platform.mfa });
      await scope.register(apiKeyRoutes, { apiKeys: platform.apiKeys });
      await scope.register(vaultRoutes, { vault: platform.vault });
      await scope.register(auditRoutes, {
        events: (workspaceId, page) => platform.workspaces.auditEvents(workspaceId, page),
        facets: (workspaceId) => platform.workspaces.auditFacets(workspaceId),
        verify: (workspaceId) => platform.workspaces.verifyAudit(workspaceId),
      });
    },
    { prefix: '/api/w/:workspaceId' },
  );

  await registerDashboard(app);
  return app;
}
