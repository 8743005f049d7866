import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userMeta } from '../identity/routes.ts';
import { userSchema } from '../identity/schema.ts';
import { reauthenticateSchema } from '../mfa/schema.ts';
import {
  authenticationVerifySchema,
  ceremonyIdSchema,
  passkeyParams,
  passkeySchema,
  registrationVerifySchema,
  renameSchema,
  webAuthnOptionsSchema,
} from './schema.ts';
import type { PasskeyService } from './service.ts';

export interface PasskeyRouteOptions {
  passkeys: PasskeyService;
  /** The origin browsers reach Enclave at: its host name is the RP ID, and ceremonies must come from it. */
  publicOrigin: () => string;
  /** Passwords and sign-ins are guesses: they share the sign-in's stricter per-IP limit (WEB-05). */
  signInPerIpPerMinute: number;
}

/** Settles who is asking before params or body are looked at. */
const requireSession = async (request: FastifyRequest) => void userMeta(request);

/** IDN-07: a person's passkeys, and signing in with one; mounted under `/api/auth/passkeys`. */
export const passkeyRoutes: FastifyPluginAsyncZod<PasskeyRouteOptions> = async (app, { passkeys, publicOrigin, signInPerIpPerMinute }) => {
  const guarded = { rateLimit: { max: signInPerIpPerMinute, timeWindow: 60_000 } };

  app.get('/', { schema: { tags: ['passkeys'], response: { 200: z.strictObject({ passkeys: z.array(passkeySchema) }) } }, onRequest: requireSession }, async (request) => ({
    passkeys: passkeys.list(userMeta(request).actor.id),
  }));

  app.post(
    '/registration/options',
    {
      schema: { tags: ['passkeys'], body: reauthenticateSchema, response: { 200: z.strictObject({ options: webAuthnOptionsSchema }) } },
      onRequest: requireSession,
      config: guarded,
    },
    async (request) => ({ options: { ...(await passkeys.registrationOptions(userMeta(request), request.body.password, publicOrigin())) } }),
  );

  app.post(
    '/registration/verify',
    {
      schema: { tags: ['passkeys'], body: registrationVerifySchema, response: { 201: z.strictObject({ passkey: passkeySchema }) } },
      onRequest: requireSession,
      config: guarded,
    },
    async (request, reply) => reply.status(201).send({ passkey: await passkeys.register(userMeta(request), request.body, publicOrigin()) }),
  );

  app.patch(
    '/:passkeyId',
    { schema: { tags: ['passkeys'], params: passkeyParams, body: renameSchema, response: { 200: z.strictObject({ passkey: passkeySchema }) } }, onRequest: requireSession },
    async (request) => ({ passkey: await passkeys.rename(userMeta(request), request.params.passkeyId, request.body.name) }),
  );

  // Removing a factor needs the password, so it travels in the body of the DELETE.
  app.delete(
    '/:passkeyId',
    { schema: { tags: ['passkeys'], params: passkeyParams, body: reauthenticateSchema, response: { 204: z.null() } }, onRequest: requireSession, config: guarded },
    async (request, reply) => {
      await passkeys.remove(userMeta(request), request.params.passkeyId, request.body.password);
      return reply.status(204).send(null);
    },
  );

  // Public: names no one and answers everyone alike (discoverable credentials).
  app.post(
    '/authentication/options',
    {
      schema: {
        tags: ['passkeys'],
        body: z.strictObject({}).nullish(),
        response: { 200: z.strictObject({ ceremonyId: ceremonyIdSchema, options: webAuthnOptionsSchema }) },
      },
      config: guarded,
    },
    async () => {
      const started = await passkeys.authenticationOptions(publicOrigin());
      return { ceremonyId: started.ceremonyId, options: { ...started.options } };
    },
  );

  app.post(
    '/authentication/verify',
    { schema: { tags: ['passkeys'], body: authenticationVerifySchema, response: { 200: z.strictObject({ user: userSchema }) } }, config: guarded },
    async (request, reply) => {
      const opened = await passkeys.authenticate(request.body, request.meta, publicOrigin());
      // Replaces any cookie the request context set while rotating a session the browser already had.
      reply.removeHeader('set-cookie');
      reply.header('set-cookie', opened.setCookie);
      return { user: opened.user };
    },
  );
};
