import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userMeta } from '../identity/routes.ts';
import { userSchema } from '../identity/schema.ts';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import {
  backupCodesSchema,
  confirmSchema,
  emailCodeSentSchema,
  enrollmentSchema,
  mfaStatusSchema,
  reauthenticateSchema,
  totpCodeSchema,
  verifySchema,
  workspaceSecuritySchema,
} from './schema.ts';
import type { MfaService, SecondFactor } from './service.ts';

export interface MfaRouteOptions {
  mfa: MfaService;
  /** Codes and passwords are guesses: they share the sign-in's stricter per-IP limit. */
  perIpPerMinute: number;
  publicOrigin: () => string;
}

function secondFactor(body: z.infer<typeof verifySchema>): SecondFactor {
  if ('backupCode' in body) return { method: 'backup_code', code: body.backupCode };
  if ('emailCode' in body) return { method: 'email_code', code: body.emailCode };
  return totpCodeSchema.safeParse(body.code).success ? { method: 'totp', code: body.code } : { method: 'backup_code', code: body.code };
}

/** A person's own factors, and the second step of a sign-in; mounted under `/api/auth/mfa`. */
export const mfaRoutes: FastifyPluginAsyncZod<MfaRouteOptions> = async (app, { mfa, perIpPerMinute, publicOrigin }) => {
  const guarded = { rateLimit: { max: perIpPerMinute, timeWindow: 60_000 } };
  const requireSession = async (request: Parameters<typeof userMeta>[0]) => void userMeta(request);

  app.get('/', { schema: { tags: ['mfa'], response: { 200: mfaStatusSchema } }, onRequest: requireSession }, async (request) =>
    mfa.status(userMeta(request).actor.id),
  );

  app.post(
    '/totp/enroll',
    { schema: { tags: ['mfa'], body: reauthenticateSchema, response: { 200: enrollmentSchema } }, onRequest: requireSession, config: guarded },
    async (request) => mfa.enroll(userMeta(request), request.body.password),
  );

  app.post(
    '/totp/confirm',
    { schema: { tags: ['mfa'], body: confirmSchema, response: { 200: backupCodesSchema } }, onRequest: requireSession, config: guarded },
    async (request) => mfa.confirm(userMeta(request), request.body.code),
  );

  app.post(
    '/totp/disable',
    { schema: { tags: ['mfa'], body: reauthenticateSchema, response: { 204: z.null() } }, onRequest: requireSession, config: guarded },
    async (request, reply) => {
      await mfa.disable(userMeta(request), request.body.password);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/backup-codes',
    { schema: { tags: ['mfa'], body: reauthenticateSchema, response: { 200: backupCodesSchema } }, onRequest: requireSession, config: guarded },
    async (request) => mfa.regenerateBackupCodes(userMeta(request), request.body.password),
  );

  // Like /verify, for a pending sign-in: the cookie is what is checked. No body is taken.
  app.post(
    '/email-code',
    { schema: { tags: ['mfa'], body: z.strictObject({}).nullish(), response: { 202: emailCodeSentSchema } }, config: guarded },
    async (request, reply) => {
      const log = (message: string, error?: unknown) => request.log.error({ err: error }, message);
      return reply.status(202).send(await mfa.sendEmailCode(request.headers.cookie, request.meta, { origin: publicOrigin(), log }));
    },
  );

  // The caller holds only a pending sign-in, which is no actor: the cookie itself is what is checked.
  app.post(
    '/verify',
    { schema: { tags: ['mfa'], body: verifySchema, response: { 200: z.strictObject({ user: userSchema }) } }, config: guarded },
    async (request, reply) => {
      const { user, setCookie } = await mfa.verify(request.headers.cookie, secondFactor(request.body), request.meta);
      reply.removeHeader('set-cookie');
      reply.header('set-cookie', setCookie);
      return { user };
    },
  );
};

const params = z.strictObject({ workspaceId: workspaceIdSchema });

/** The workspace's security policy; mounted behind the workspace gate. */
export const workspaceSecurityRoutes: FastifyPluginAsyncZod<{ mfa: MfaService }> = async (app, { mfa }) => {
  app.get(
    '/security',
    { schema: { tags: ['mfa'], params, response: { 200: workspaceSecuritySchema } }, config: { permission: 'workspace:read' } },
    async (request) => ({ requireMfa: mfa.requiredIn(request.params.workspaceId) }),
  );

  app.patch(
    '/security',
    {
      schema: { tags: ['mfa'], params, body: workspaceSecuritySchema, response: { 200: workspaceSecuritySchema } },
      config: { permission: 'security:manage' },
    },
    async (request) => mfa.setRequired(request.params.workspaceId, request.body.requireMfa, request.meta),
  );
};
