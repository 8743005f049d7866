import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../core/errors.ts';
import { registerScimErrors, sendScim } from './errors.ts';
import { listResponse, schemas, serviceProviderConfig, userResource, userResourceType } from './resources.ts';
import { scimIdParams, scimListQuerySchema, scimPatchSchema, scimUserInputSchema } from './schema.ts';
import type { ScimUserService } from './users.ts';

export interface ScimRouteOptions {
  users: ScimUserService;
  /** The origin SCIM clients reach Enclave at; resource locations are built from it. */
  publicOrigin: () => string;
  /** WEB-05: the per-credential counter, here keyed by the SCIM token. */
  limitToken: onRequestHookHandler;
}

/** The workspace a SCIM request acts on: the one its token names, and no other. */
function workspaceOf(request: FastifyRequest): string {
  const actor = request.actor;
  if (actor.type !== 'scim_token') throw new AppError(401, 'unauthenticated', 'present a SCIM token');
  return actor.workspaceId;
}

/**
 * SCIM 2.0 (RFC 7643, 7644) for one workspace's identity provider (IDN-06), at /scim/v2.
 * Only a SCIM token opens it: session cookies and API keys get 401, and a SCIM token gets
 * nowhere else (the workspace gate knows no role for it). Users only; no groups, bulk,
 * sorting or ETags, as ServiceProviderConfig says. Why not @better-auth/scim: it is not
 * installed, and it provisions into better-auth organizations, whereas Enclave's
 * memberships, roles and sessions are its own.
 */
export const scimRoutes: FastifyPluginAsyncZod<ScimRouteOptions> = async (app, options) => {
  const { users } = options;
  registerScimErrors(app);
  app.addContentTypeParser('application/scim+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.addHook('onRequest', async (request) => {
    if (request.actor.type !== 'scim_token') {
      throw new AppError(401, 'unauthenticated', 'present a SCIM token as Authorization: Bearer', { 'www-authenticate': 'Bearer realm="scim"' });
    }
  });
  app.addHook('onRequest', options.limitToken);
  const base = () => `${options.publicOrigin()}/scim/v2`;
  const tags = ['scim'];

  app.get('/ServiceProviderConfig', { schema: { tags } }, async (_request, reply) => sendScim(reply, 200, serviceProviderConfig(base())));
  app.get('/ResourceTypes', { schema: { tags } }, async (_request, reply) => sendScim(reply, 200, listResponse([userResourceType(base())], 1, 1)));
  app.get('/ResourceTypes/:id', { schema: { tags, params: scimIdParams } }, async (request, reply) => {
    if (request.params.id !== 'User') throw new AppError(404, 'not_found', 'no such resource type');
    return sendScim(reply, 200, userResourceType(base()));
  });
  app.get('/Schemas', { schema: { tags } }, async (_request, reply) => {
    const all = schemas(base());
    return sendScim(reply, 200, listResponse(all, all.length, 1));
  });
  app.get('/Schemas/:id', { schema: { tags, params: scimIdParams } }, async (request, reply) => {
    const found = schemas(base()).find((candidate) => candidate.id === request.params.id);
    if (!found) throw new AppError(404, 'not_found', 'no such schema');
    return sendScim(reply, 200, found);
  });

  app.get('/Users', { schema: { tags, querystring: scimListQuerySchema } }, async (request, reply) => {
    const page = users.list(workspaceOf(request), request.query);
    return sendScim(reply, 200, listResponse(page.users.map((user) => userResource(user, base())), page.total, page.startIndex));
  });

  app.post('/Users', { schema: { tags, body: scimUserInputSchema } }, async (request, reply) => {
    const user = await users.create(workspaceOf(request), request.body, request.meta);
    const resource = userResource(user, base());
    reply.header('location', resource.meta.location);
    return sendScim(reply, 201, resource);
  });

  app.get('/Users/:id', { schema: { tags, params: scimIdParams } }, async (request, reply) =>
    sendScim(reply, 200, userResource(users.get(workspaceOf(request), request.params.id), base())),
  );

  app.put('/Users/:id', { schema: { tags, params: scimIdParams, body: scimUserInputSchema } }, async (request, reply) => {
    const user = await users.replace(workspaceOf(request), request.params.id, request.body, request.meta);
    return sendScim(reply, 200, userResource(user, base()));
  });

  app.patch('/Users/:id', { schema: { tags, params: scimIdParams, body: scimPatchSchema } }, async (request, reply) => {
    const user = await users.patch(workspaceOf(request), request.params.id, request.body, request.meta);
    return sendScim(reply, 200, userResource(user, base()));
  });

  // Every other path under /scim/v2 (Groups, Bulk, .search…) answers as SCIM, not as the dashboard's catch-all.
  app.all('/*', { schema: { hide: true } }, async () => {
    throw new AppError(404, 'not_found', 'no such SCIM endpoint; only Users and the discovery endpoints are served');
  });

  app.delete('/Users/:id', { schema: { tags, params: scimIdParams } }, async (request, reply) => {
    await users.delete(workspaceOf(request), request.params.id, request.meta);
    return reply.status(204).send();
  });
};
