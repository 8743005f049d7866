import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UserMeta } from '../access/actor.ts';
import { AppError } from '../core/errors.ts';
import { altchaField, type ProofOfWorkGuard } from '../proof-of-work/guard.ts';
import { expiredSessionCookie } from './cookie.ts';
import { authIdSchema, sessionSchema, signInSchema, signUpSchema, userSchema } from './schema.ts';
import type { AuthCall, IdentityService } from './service.ts';
import type { SessionService } from './sessions.ts';

export interface IdentityRouteOptions {
  identity: IdentityService;
  sessions: SessionService;
  /** The origin browsers reach Enclave at; known once the server listens. */
  publicOrigin: () => string;
  signInPerIpPerMinute: number;
  /** The second factors a pending sign-in of this account may use (src/mfa/). */
  secondFactorMethods: (userId: string) => SecondFactorMethod[];
  /** WEB-06: sign-up must carry a solved proof-of-work challenge, checked before anything else. */
  proofOfWork: ProofOfWorkGuard;
}

/** The only request headers better-auth sees: what it needs to set cookies and check origins. */
const FORWARDED_HEADERS = ['cookie', 'origin', 'referer', 'user-agent', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest'] as const;

/** The bridge from a Fastify request to better-auth's Web Request handler. */
function authCall(request: FastifyRequest, origin: string): AuthCall {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return { origin, headers, meta: request.meta, log: (message, error) => request.log.error({ err: error }, message) };
}

/** The signed-in person making the request: 401 without a session, 403 for a key. */
export function userMeta(request: FastifyRequest): UserMeta {
  const actor = request.actor;
  if (actor.type === 'user') return { ...request.meta, actor };
  if (actor.type === 'anonymous') throw new AppError(401, 'unauthenticated', 'sign in first');
  throw new AppError(403, 'user_session_required', 'this route is for people signed in with a session, not for keys');
}

/** The cookie this answer sets replaces any the request context set while rotating the old session. */
function setCookies(reply: FastifyReply, lines: string[]): void {
  reply.removeHeader('set-cookie');
  reply.header('set-cookie', lines);
}

const sessionParams = z.strictObject({ sessionId: authIdSchema });

const SECOND_FACTOR_METHODS = ['totp', 'backup_code', 'email_code'] as const;
type SecondFactorMethod = (typeof SECOND_FACTOR_METHODS)[number];
/** A full sign-in names the user; one that owes its second factor says so and names no one yet. */
const signInAnswerSchema = z.union([
  z.strictObject({ user: userSchema }),
  z.strictObject({ mfaRequired: z.literal(true), methods: z.array(z.enum(SECOND_FACTOR_METHODS)) }),
]);

/** Settles who is asking before params or body are looked at. */
const requireSession = async (request: FastifyRequest) => void userMeta(request);

export const identityRoutes: FastifyPluginAsyncZod<IdentityRouteOptions> = async (app, options) => {
  const { identity, sessions } = options;
  // WEB-05: password guesses and sign-ups get their own, stricter per-IP counters.
  const guarded = { rateLimit: { max: options.signInPerIpPerMinute, timeWindow: 60_000 } };

  app.post(
    '/sign-up/email',
    {
      schema: {
        tags: ['identity'],
        body: signUpSchema.extend(altchaField),
        response: { 202: z.strictObject({ status: z.literal('accepted'), message: z.string() }) },
      },
      config: guarded,
      preHandler: options.proofOfWork,
    },
    async (request, reply) => {
      const { email, password, name } = request.body;
      await identity.signUp({ email, password, name }, authCall(request, options.publicOrigin()));
      return reply.status(202).send({ status: 'accepted', message: 'if the address had no account, it has one now: sign in to continue' });
    },
  );

  app.post(
    '/sign-in/email',
    { schema: { tags: ['identity'], body: signInSchema, response: { 200: signInAnswerSchema } }, config: guarded },
    async (request, reply) => {
      const signedIn = await identity.signIn(request.body, authCall(request, options.publicOrigin()));
      setCookies(reply, signedIn.setCookies);
      // Only a correct password gets here, so this answer tells nothing to someone guessing addresses.
      return signedIn.secondFactorPending ? { mfaRequired: true as const, methods: options.secondFactorMethods(signedIn.user.id) } : { user: signedIn.user };
    },
  );

  // Always succeeds and clears the cookie, so a client never has to know whether its session was still alive.
  app.post('/sign-out', { schema: { tags: ['identity'], response: { 204: z.null() } } }, async (request, reply) => {
    const actor = request.actor;
    setCookies(reply, [actor.type === 'user' ? await sessions.signOut({ ...request.meta, actor }) : expiredSessionCookie(sessions.cookie)]);
    return reply.status(204).send(null);
  });

  app.get(
    '/session',
    { schema: { tags: ['identity'], response: { 200: z.strictObject({ user: userSchema, session: sessionSchema }) } }, onRequest: requireSession },
    async (request) => {
      const meta = userMeta(request);
      const user = identity.user(meta.actor.id);
      const session = sessions.list(meta.actor).find((candidate) => candidate.current);
      if (!user || !session) throw new AppError(401, 'unauthenticated', 'sign in first');
      return { user, session };
    },
  );

  app.get(
    '/sessions',
    { schema: { tags: ['identity'], response: { 200: z.strictObject({ sessions: z.array(sessionSchema) }) } }, onRequest: requireSession },
    async (request) => ({ sessions: sessions.list(userMeta(request).actor) }),
  );

  app.delete(
    '/sessions/:sessionId',
    { schema: { tags: ['identity'], params: sessionParams, response: { 204: z.null() } }, onRequest: requireSession },
    async (request, reply) => {
      if (await sessions.revoke(userMeta(request), request.params.sessionId)) setCookies(reply, [expiredSessionCookie(sessions.cookie)]);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/sessions/revoke-others',
    { schema: { tags: ['identity'], response: { 200: z.strictObject({ ended: z.number() }) } }, onRequest: requireSession },
    async (request) => ({ ended: await sessions.revokeOthers(userMeta(request)) }),
  );
};
