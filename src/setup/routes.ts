import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signUpSchema, userSchema } from '../identity/schema.ts';
import { membershipSchema } from '../members/schema.ts';
import { workspaceNameSchema } from '../workspaces/schema.ts';
import type { SetupService } from './service.ts';

const setupSchema = z.strictObject({
  ...signUpSchema.shape,
  token: z.string().min(1).max(200),
  workspaceName: workspaceNameSchema,
});

export interface SetupRouteOptions {
  setup: SetupService;
  perIpPerMinute: number;
}

export const setupRoutes: FastifyPluginAsyncZod<SetupRouteOptions> = async (app, options) => {
  const { setup } = options;

  app.get('/', { schema: { tags: ['setup'], response: { 200: z.strictObject({ needed: z.boolean() }) } } }, async () => ({ needed: setup.needed() }));

  app.post(
    '/',
    {
      schema: { tags: ['setup'], body: setupSchema, response: { 201: z.strictObject({ user: userSchema, workspace: membershipSchema }) } },
      // The token has 256 bits, so guessing is hopeless; the limit keeps the attempts out of the way all the same.
      config: { rateLimit: { max: options.perIpPerMinute, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const done = await setup.complete(request.body, request.meta);
      reply.removeHeader('set-cookie');
      return reply.header('set-cookie', done.setCookie).status(201).send({ user: done.user, workspace: done.workspace });
    },
  );
};
