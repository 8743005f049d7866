import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { expiredSessionCookie, type SessionCookie } from '../../identity/cookie.ts';
import { userMeta } from '../../identity/routes.ts';
import { closeAccountSchema, closedAccountSchema } from './schema.ts';
import type { AccountClosure } from './service.ts';

export interface AccountClosureRouteOptions {
  closure: AccountClosure;
  cookie: SessionCookie;
  publicOrigin: () => string;
}

/** DAT-03: POST /api/me/close, for a person signed in with a session (never a key). */
export const accountClosureRoutes: FastifyPluginAsyncZod<AccountClosureRouteOptions> = async (app, options) => {
  app.post(
    '/api/me/close',
    { schema: { tags: ['identity'], body: closeAccountSchema, response: { 200: closedAccountSchema } } },
    async (request, reply) => {
      const closed = await options.closure.close(request.body, userMeta(request), {
        origin: options.publicOrigin(),
        log: (message, error) => request.log.error({ err: error }, message),
      });
      // The session is gone server-side already; the browser drops its cookie too.
      reply.removeHeader('set-cookie');
      reply.header('set-cookie', [expiredSessionCookie(options.cookie)]);
      return closed;
    },
  );
};
