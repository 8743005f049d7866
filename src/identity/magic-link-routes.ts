import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { altchaField, type ProofOfWorkGuard } from '../proof-of-work/guard.ts';
import type { MagicLinkService } from './magic-link.ts';
import { emailSchema } from './schema.ts';
import { secondFactorStep } from './second-factor-step.ts';
import type { EmailVerificationService } from './verification.ts';

export interface LinkRouteOptions {
  magicLinks: MagicLinkService;
  emailVerification: EmailVerificationService;
  publicOrigin: () => string;
  signInPerIpPerMinute: number;
  /** WEB-06: runs first, before the per-address counter. */
  proofOfWork: ProofOfWorkGuard;
  /** Counts requests per address, known or not, so its 429 says nothing about accounts. */
  perEmailLimit: (request: FastifyRequest) => Promise<void>;
  /** The second factors a link sign-in of this account may finish with (never a mailed code: see mfa/email-code.ts). */
  secondFactorMethods: (userId: string) => readonly string[];
}

/** Tokens are 32 random bytes in base64url; anything else is refused before a lookup. */
const linkQuery = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a link token') });

/** Where a followed link lands: the dashboard, which shows the session or the sign-in form. */
const DASHBOARD = '/';

function land(reply: FastifyReply, setCookie?: string, to = DASHBOARD): FastifyReply {
  if (setCookie) {
    // Replaces any cookie the request context set while rotating a session the browser already had.
    reply.removeHeader('set-cookie');
    reply.header('set-cookie', [setCookie]);
  }
  return reply.redirect(to, 303);
}

/** Mailed links: magic-link sign-in (IDN-02) and email verification (IDN-01). */
export const linkRoutes: FastifyPluginAsyncZod<LinkRouteOptions> = async (app, options) => {
  // WEB-05: the same stricter per-IP counter as password sign-in.
  const guarded = { rateLimit: { max: options.signInPerIpPerMinute, timeWindow: 60_000 } };

  app.post(
    '/magic-link',
    {
      schema: {
        tags: ['identity'],
        body: z.strictObject({ email: emailSchema, ...altchaField }),
        response: { 202: z.strictObject({ status: z.literal('accepted'), message: z.string() }) },
      },
      config: guarded,
      preHandler: [options.proofOfWork, options.perEmailLimit],
    },
    async (request, reply) => {
      const log = (message: string, error?: unknown) => request.log.error({ err: error }, message);
      await options.magicLinks.request(request.body.email, request.meta, { origin: options.publicOrigin(), log });
      return reply.status(202).send({ status: 'accepted', message: 'if the address has a verified account, a sign-in link is on its way' });
    },
  );

  app.get(
    '/magic-link/verify',
    { schema: { tags: ['identity'], querystring: linkQuery, response: { 303: z.null() } }, config: guarded },
    async (request, reply) => {
      const opened = await options.magicLinks.signIn(request.query.token, request.meta);
      return land(reply, opened.setCookie, opened.secondFactorPending ? secondFactorStep(options.secondFactorMethods(opened.user.id)) : DASHBOARD);
    },
  );

  app.get(
    '/verify-email',
    { schema: { tags: ['identity'], querystring: linkQuery, response: { 303: z.null() } }, config: guarded },
    async (request, reply) => {
      await options.emailVerification.verify(request.query.token, request.meta);
      return land(reply);
    },
  );
};
