import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import type { SsoConnectionService } from './connections.ts';
import type { SsoDomainService } from './domains.ts';
import { addDomainSchema, connectionIdSchema, createConnectionSchema, domainNameSchema, ssoConnectionSchema, ssoDomainSchema, ssoOverviewSchema } from './schema.ts';

export interface SsoRouteOptions {
  domains: SsoDomainService;
  connections: SsoConnectionService;
  /** The origin browsers and IdPs reach Enclave at, for the URLs an IdP is configured with. */
  publicOrigin: () => string;
}

const params = z.strictObject({ workspaceId: workspaceIdSchema });
const domainParams = z.strictObject({ workspaceId: workspaceIdSchema, domain: domainNameSchema });
const connectionParams = z.strictObject({ workspaceId: workspaceIdSchema, connectionId: connectionIdSchema });
/** Who may sign in to the workspace, and how, is the owners' decision alone (IDN-06). */
const config = { permission: 'sso:manage' as const };

/** A workspace's SSO domains and connections; mounted behind the workspace gate. */
export const ssoRoutes: FastifyPluginAsyncZod<SsoRouteOptions> = async (app, { domains, connections, publicOrigin }) => {
  app.get('/sso', { schema: { tags: ['sso'], params, response: { 200: ssoOverviewSchema } }, config }, async (request) => ({
    domains: domains.list(request.params.workspaceId),
    connections: connections.list(request.params.workspaceId, publicOrigin()),
  }));

  app.post(
    '/sso/domains',
    { schema: { tags: ['sso'], params, body: addDomainSchema, response: { 201: ssoDomainSchema } }, config },
    async (request, reply) => reply.status(201).send(await domains.add(request.params.workspaceId, request.body.domain, request.meta)),
  );

  app.post(
    '/sso/domains/:domain/verify',
    { schema: { tags: ['sso'], params: domainParams, response: { 200: ssoDomainSchema } }, config },
    async (request) => domains.verify(request.params.workspaceId, request.params.domain, request.meta),
  );

  app.delete('/sso/domains/:domain', { schema: { tags: ['sso'], params: domainParams, response: { 204: z.null() } }, config }, async (request, reply) => {
    await domains.remove(request.params.workspaceId, request.params.domain, request.meta);
    return reply.status(204).send(null);
  });

  app.post(
    '/sso/domains/:domain/connections',
    { schema: { tags: ['sso'], params: domainParams, body: createConnectionSchema, response: { 201: ssoConnectionSchema } }, config },
    async (request, reply) => {
      const { workspaceId, domain } = request.params;
      return reply.status(201).send(await connections.create(workspaceId, domain, request.body, publicOrigin(), request.meta));
    },
  );

  app.delete(
    '/sso/connections/:connectionId',
    { schema: { tags: ['sso'], params: connectionParams, response: { 204: z.null() } }, config },
    async (request, reply) => {
      await connections.remove(request.params.workspaceId, request.params.connectionId, request.meta);
      return reply.status(204).send(null);
    },
  );
};
