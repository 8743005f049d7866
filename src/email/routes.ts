import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import type { DevOutbox } from './dev-outbox.ts';

const outboxSchema = z.strictObject({
  developmentOnly: z.literal(true),
  notice: z.string(),
  mails: z.array(z.strictObject({ id: z.number(), to: z.string(), subject: z.string(), text: z.string(), createdAt: z.string() })),
});

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
function isLoopback(ip: string): boolean {
  return ip === '::1' || /^(::ffff:)?127\./.test(ip);
}

/**
 * Registered only in development without SMTP (see app.ts); anywhere else the path is a
 * plain 404. The outbox holds working sign-in links, so it answers only the machine
 * itself: a development server started with --host 0.0.0.0 must not hand them out.
 */
export const devOutboxRoutes: FastifyPluginAsyncZod<{ outbox: DevOutbox }> = async (app, options) => {
  app.get('/api/dev/outbox', { schema: { tags: ['development'], response: { 200: outboxSchema } } }, async (request) => {
    if (!isLoopback(request.ip)) throw new AppError(404, 'not_found', 'no such route');
    return {
      developmentOnly: true as const,
      notice: 'development mode only: these mails were not sent; production sends through SMTP and has no outbox',
      mails: options.outbox.list(),
    };
  });
};
