import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DevOutbox } from './dev-outbox.ts';

const outboxSchema = z.strictObject({
  developmentOnly: z.literal(true),
  notice: z.string(),
  mails: z.array(z.strictObject({ id: z.number(), to: z.string(), subject: z.string(), text: z.string(), createdAt: z.string() })),
});

/** Registered only in development without SMTP (see app.ts); anywhere else the path is a plain 404. */
export const devOutboxRoutes: FastifyPluginAsyncZod<{ outbox: DevOutbox }> = async (app, options) => {
  app.get('/api/dev/outbox', { schema: { tags: ['development'], response: { 200: outboxSchema } } }, async () => ({
    developmentOnly: true as const,
    notice: 'development mode only: these mails were not sent; production sends through SMTP and has no outbox',
    mails: options.outbox.list(),
  }));
};
