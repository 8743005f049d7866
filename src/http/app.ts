import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { ServerOptions as HttpsOptions } from 'node:https';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import { agentAuthRoutes, agentRoutes } from '../agents/routes.ts';
import { alertRoutes } from '../alerts/routes.ts';
import { apiKeyRoutes } from '../api-keys/routes.ts';
import { auditExportRoutes } from '../audit/export-routes.ts';
import { auditRoutes } from '../audit/routes.ts';
import { servesHttps } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { datasetRoutes } from '../datasets/routes.ts';
import { devOutboxRoutes } from '../email/routes.ts';
import { acceptInvitationRoutes, invitationRoutes } from '../invitations/routes.ts';
import { linkRoutes } from '../identity/magic-link-routes.ts';
import { passwordResetRoutes } from '../identity/password-reset-routes.ts';
import { oidcRoutes } from '../oidc/routes.ts';
import { mcpChallenge } from '../mcp/access.ts';
import { mcpRoutes } from '../mcp/routes.ts';
import { datasetTools } from '../mcp/tools/datasets.ts';
import { sqlTool } from '../mcp/tools/sql.ts';
import { mcpTokenRoutes } from '../mcp-tokens/routes.ts';
import { mcpClientRoutes } from '../oauth/client-routes.ts';
import { MCP_PATH } from '../oauth/paths.ts';
import { oauthRoutes } from '../oauth/routes.ts';
import { identityRoutes } from '../identity/routes.ts';
import { accountClosureRoutes } from '../lifecycle/closure/routes.ts';
import { personalExportRoutes, workspaceExportRoutes } from '../lifecycle/export/routes.ts';
import { memberRoutes, myWorkspaceRoutes } from '../members/routes.ts';
import { mfaRoutes, workspaceSecurityRoutes } from '../mfa/routes.ts';
import { passkeyRoutes } from '../passkeys/routes.ts';
import { requireProofOfWork } from '../proof-of-work/guard.ts';
import { proofOfWorkRoutes } from '../proof-of-work/routes.ts';
import type { Platform } from '../platform/platform.ts';
import { scimRoutes } from '../scim/routes.ts';
import { scimTokenRoutes } from '../scim/token-routes.ts';
import { setupRoutes } from '../setup/routes.ts';
import { vaultRoutes } from '../vault/routes.ts';
import { webhookRoutes } from '../workflows/webhook-routes.ts';
import { workflowRoutes } from '../workflows/routes.ts';
import { ssoAuthRoutes } from '../sso/auth-routes.ts';
import { ssoRoutes } from '../sso/routes.ts';
import { deletedWorkspaceRoutes, workspaceDeletionRoutes } from '../workspaces/deletion-routes.ts';
import { workspaceRoutes } from '../workspaces/routes.ts';
import { registerDashboard } from './dashboard.ts';
import { frameworkErrorHandler, registerErrorHandling } from './errors.ts';
import { openApiRoute, registerOpenApi } from './openapi.ts';
import { registerOriginCheck } from './origin-check.ts';
import { publicRoutes } from './public-routes.ts';
import { actorRateLimit, registerRateLimits } from './rate-limits.ts';
import { registerRequestContext } from './request-context.ts';
import { headerWriter, registerSecurityHeaders, securityHeaders } from './security-headers.ts';
import { watchTokenUse } from './token-use.ts';
import './types.ts';
import { requireDeclaredPermissions, watchRefusals, workspaceGate } from './workspace-scope.ts';

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
function perEmail(app: FastifyInstance, max: number, purpose: 'magic-link' | 'password-reset', asked: string) {
  const limit = app.createRateLimit({ max, timeWindow: 3_600_000, keyGenerator: (request) => `${purpose}:${(request.body as { email: string }).email}` });
  return async (request: FastifyRequest) => {
    const result = await limit(request);
    // isAllowed means allow-listed; the count decides through isExceeded.
    if (!result.isAllowed && result.isExceeded) {
      const after = String(result.ttlInSeconds);
      throw new AppError(429, 'rate_limited', `too many ${asked} asked for; retry in ${after} seconds`, { 'retry-after': after });
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
  // A bearer credential is an API key, a SCIM token (IDN-06) or an agent's JWT (AGT-02); each answers only for its own form.
  const bearer = {
    authenticate: (token: string) =>
      platform.apiKeys.authenticate(token) ??
      platform.scim.tokens.authenticate(token) ??
      platform.mcpTokens.authenticate(token) ??
      platform.oauth.authenticate(token) ??
      platform.agents.authenticate(token),
  };
  const publicOrigin = () => options.allowedOrigins()[0] ?? '';
  // AIC-01: a refused bearer on the MCP endpoint is told where the resource's metadata is.
  registerRequestContext(app, bearer, platform.sessions, (request) =>
    request.url.split('?')[0] === MCP_PATH ? mcpChallenge(publicOrigin(), 'invalid_token') : 'Bearer error="invalid_token"',
  );
  app.addHook('onResponse', watchTokenUse(platform.alerts));
  registerOriginCheck(app, options.allowedOrigins);
  await registerRateLimits(app, config.rateLimit);
  registerErrorHandling(app, app.rateLimit());
  await registerOpenApi(app, packageJson.version);
  requireDeclaredPermissions(app);
  platform.oauth.serveAt(publicOrigin);
  // WEB-06: the first preHandler of every public form that makes the server create or send something.
  const proofOfWork = requireProofOfWork(platform.proofOfWork);

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
    secondFactorMethods: (userId) => platform.mfa.methods(userId, 'password'),
    proofOfWork,
  });
  await app.register(proofOfWorkRoutes, { prefix: '/api/auth', proofOfWork: platform.proofOfWork });
  await app.register(passwordResetRoutes, {
    prefix: '/api/auth',
    passwordReset: platform.passwordReset,
    publicOrigin,
    signInPerIpPerMinute: config.rateLimit.signInPerIpPerMinute,
    proofOfWork,
    perEmailLimit: perEmail(app, config.rateLimit.passwordResetPerEmailPerHour, 'password-reset', 'password-reset links'),
  });

  await app.register(setupRoutes, { prefix: '/api/setup', setup: platform.setup, perIpPerMinute: config.rateLimit.signInPerIpPerMinute });

  await app.register(mfaRoutes, { prefix: '/api/auth/mfa', mfa: platform.mfa, perIpPerMinute: config.rateLimit.signInPerIpPerMinute, publicOrigin });
  await app.register(passkeyRoutes, {
    prefix: '/api/auth/passkeys',
    passkeys: platform.passkeys,
    publicOrigin,
    signInPerIpPerMinute: config.rateLimit.signInPerIpPerMinute,
  });

  await app.register(linkRoutes, {
    prefix: '/api/auth',
    magicLinks: platform.magicLinks,
    emailVerification: platform.emailVerification,
    publicOrigin,
    signInPerIpPerMinute: config.rateLimit.signInPerIpPerMinute,
    proofOfWork,
    perEmailLimit: perEmail(app, config.rateLimit.magicLinkPerEmailPerHour, 'magic-link', 'sign-in links'),
    secondFactorMethods: (userId) => platform.mfa.methods(userId, 'magic_link'),
  });
  await app.register(ssoAuthRoutes, {
    prefix: '/api/auth',
    signIn: platform.sso.signIn,
    connectionExists: (connectionId) => platform.sso.connections.byId(connectionId) !== undefined,
    publicOrigin,
    secureCookies: platform.sessions.cookie.secure,
    requestSeconds: config.sso.requestSeconds,
    signInPerIpPerMinute: config.rateLimit.signInPerIpPerMinute,
    secondFactorMethods: (userId) => platform.mfa.methods(userId),
  });
  await app.register(oidcRoutes, {
    prefix: '/api/auth',
    oidc: platform.oidc,
    publicOrigin,
    secureCookies: platform.sessions.cookie.secure,
    signInPerIpPerMinute: config.rateLimit.signInPerIpPerMinute,
    secondFactorMethods: (userId) => platform.mfa.methods(userId),
  });
  await app.register(oauthRoutes, {
    oauth: platform.oauth,
    interactions: platform.oauthInteractions,
    registrationsPerIpPerMinute: config.rateLimit.signInPerIpPerMinute,
  });
  // Development without SMTP only: everywhere else /api/dev/outbox does not exist (404).
  if (platform.devOutbox) await app.register(devOutboxRoutes, { outbox: platform.devOutbox });
  await app.register(agentAuthRoutes, { prefix: '/api/agents', agents: platform.agents, pairPerIpPerMinute: config.rateLimit.signInPerIpPerMinute });

  const limitActor = actorRateLimit(app, config.rateLimit);
  await app.register(async (scope) => {
    scope.addHook('onRequest', limitActor);
    await scope.register(myWorkspaceRoutes, { members: platform.members });
    await scope.register(deletedWorkspaceRoutes, { deletion: platform.deletion });
    await scope.register(personalExportRoutes, { exports: platform.exports });
    await scope.register(accountClosureRoutes, { closure: platform.closure, cookie: platform.sessions.cookie, publicOrigin });
    await scope.register(acceptInvitationRoutes, { invitations: platform.invitations, perIpPerMinute: config.rateLimit.signInPerIpPerMinute });
  });
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', workspaceGate(platform.members, platform.mfa));
      scope.addHook('onRequest', limitActor);
      scope.addHook('onResponse', watchRefusals(platform.alerts));
      await scope.register(workspaceRoutes, { workspaces: platform.workspaces });
      await scope.register(workspaceDeletionRoutes, { deletion: platform.deletion });
      await scope.register(workspaceExportRoutes, { exports: platform.exports });
      await scope.register(alertRoutes, { alerts: platform.alerts });
      await scope.register(memberRoutes, { members: platform.members });
      await scope.register(invitationRoutes, { invitations: platform.invitations, publicOrigin });
      await scope.register(workspaceSecurityRoutes, { mfa: platform.mfa });
      await scope.register(apiKeyRoutes, { apiKeys: platform.apiKeys });
      await scope.register(mcpTokenRoutes, { mcpTokens: platform.mcpTokens });
      await scope.register(mcpClientRoutes, { oauth: platform.oauth, roleIn: (workspaceId, actor) => platform.members.roleIn(workspaceId, actor) });
      await scope.register(datasetRoutes, { datasets: platform.datasets, roles: platform.members });
      await scope.register(agentRoutes, { agents: platform.agents });
      await scope.register(vaultRoutes, { vault: platform.vault });
      await scope.register(workflowRoutes, { workflows: platform.workflows, runs: platform.workflowRuns });
      await scope.register(scimTokenRoutes, { scimTokens: platform.scim.tokens });
      await scope.register(ssoRoutes, { domains: platform.sso.domains, connections: platform.sso.connections, publicOrigin });
      await scope.register(auditRoutes, {
        events: (workspaceId, page) => platform.workspaces.auditEvents(workspaceId, page),
        facets: (workspaceId) => platform.workspaces.auditFacets(workspaceId),
        verify: (workspaceId) => platform.workspaces.verifyAudit(workspaceId),
      });
      await scope.register(auditExportRoutes, {
        reader: (workspaceId) => (page) => platform.workspaces.auditEvents(workspaceId, page),
        audit: (workspaceId) => platform.databases.open(workspaceId).audit,
      });
    },
    { prefix: '/api/w/:workspaceId' },
  );
  await app.register(webhookRoutes, {
    workflows: platform.workflows,
    runs: platform.workflowRuns,
    workspace: (id) => platform.databases.open(id),
    workspaceExists: (id) => platform.workspaces.exists(id),
  });
  await app.register(mcpRoutes, {
    tools: [...datasetTools(platform.datasets), sqlTool(platform.mcpSql)],
    access: {
      roleOf: (workspaceId, userId) => platform.members.roleIn(workspaceId, { type: 'user', id: userId, sessionId: '' }),
      mfaBlocks: (workspaceId, userId) => platform.mfa.blocks(workspaceId, { type: 'user', id: userId, sessionId: '' }),
    },
    workspaceAudit: (id) => platform.databases.open(id).audit,
    allowedOrigins: options.allowedOrigins,
    limitActor,
    version: packageJson.version,
  });
  await app.register(scimRoutes, { prefix: '/scim/v2', users: platform.scim.users, publicOrigin, limitToken: limitActor });

  await registerDashboard(app);
  return app;
}
