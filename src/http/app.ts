import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ServerOptions as HttpsOptions } from 'node:https';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import { apiKeyRoutes } from '../api-keys/routes.ts';
import { auditRoutes } from '../audit/routes.ts';
import { servesHttps } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { newId } from '../core/ids.ts';
import { identityRoutes } from '../identity/routes.ts';
import { memberRoutes, myWorkspaceRoutes } from '../members/routes.ts';
import type { Platform } from '../platform/platform.ts';
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

  const limitActor = actorRateLimit(app, config.rateLimit);
  await app.register(async (scope) => {
    scope.addHook('onRequest', limitActor);
    await scope.register(myWorkspaceRoutes, { members: platform.members });
  });
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', workspaceGate(platform.members));
      scope.addHook('onRequest', limitActor);
      await scope.register(workspaceRoutes, { workspaces: platform.workspaces });
      await scope.register(memberRoutes, { members: platform.members });
      await scope.register(apiKeyRoutes, { apiKeys: platform.apiKeys });
      await scope.register(auditRoutes, {
        events: (workspaceId, page) => platform.workspaces.auditEvents(workspaceId, page),
        verify: (workspaceId) => platform.workspaces.verifyAudit(workspaceId),
      });
    },
    { prefix: '/api/w/:workspaceId' },
  );

  await registerDashboard(app);
  return app;
}
