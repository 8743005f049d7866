import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { altchaField, type ProofOfWorkGuard } from '../proof-of-work/guard.ts';
import type { PasswordResetService } from './password-reset.ts';
import { emailSchema, passwordSchema } from './schema.ts';

export interface PasswordResetRouteOptions {
  passwordReset: PasswordResetService;
  publicOrigin: () => string;
  signInPerIpPerMinute: number;
  /** WEB-06: runs first, before the per-address counter. */
  proofOfWork: ProofOfWorkGuard;
  /** Counts requests per address, known or not, so its 429 says nothing about accounts. */
  perEmailLimit: (request: FastifyRequest) => Promise<void>;
}

const accepted = z.strictObject({ status: z.literal('accepted'), message: z.string() });

/** IDN-01: asking for a reset link, and setting the new password with it. */
export const passwordResetRoutes: FastifyPluginAsyncZod<PasswordResetRouteOptions> = async (app, options) => {
  // WEB-05: the same stricter per-IP counter as password sign-in.
  const guarded = { rateLimit: { max: options.signInPerIpPerMinute, timeWindow: 60_000 } };
  const mailContext = (request: FastifyRequest) => ({
    origin: options.publicOrigin(),
    log: (message: string, error?: unknown) => request.log.error({ err: error }, message),
  });

  app.post(
    '/password-reset/request',
    {
      schema: { tags: ['identity'], body: z.strictObject({ email: emailSchema, ...altchaField }), response: { 202: accepted } },
      config: guarded,
      preHandler: [options.proofOfWork, options.perEmailLimit],
    },
    async (request, reply) => {
      await options.passwordReset.request(request.body.email, request.meta, mailContext(request));
      return reply.status(202).send({ status: 'accepted', message: 'if the address has an account with a password, a reset link is on its way' });
    },
  );

  app.post(
    '/password-reset/complete',
    {
      schema: {
        tags: ['identity'],
        // Tokens are 32 random bytes in base64url; the password follows the sign-up rules.
        body: z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a link token'), password: passwordSchema }),
        response: { 200: z.strictObject({ status: z.literal('password_changed') }) },
      },
      config: guarded,
    },
    async (request) => {
      await options.passwordReset.complete(request.body.token, request.body.password, request.meta, mailContext(request));
      return { status: 'password_changed' as const };
    },
  );
};
