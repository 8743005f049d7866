import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface PublicRouteOptions {
  version: string;
  mode: 'development' | 'production';
  /** Where vulnerability reports go; RFC 9116 requires Contact and Expires. */
  securityContact: string;
  publicOrigin: () => string;
  /** The vulnerability disclosure policy (SECURITY.md), served where security.txt points. */
  policyText: string;
}

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

export const publicRoutes: FastifyPluginAsyncZod<PublicRouteOptions> = async (app, options) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        response: { 200: z.strictObject({ status: z.literal('ok'), version: z.string(), mode: z.enum(['development', 'production']) }) },
      },
    },
    async () => ({ status: 'ok' as const, version: options.version, mode: options.mode }),
  );

  // OPS-04: RFC 9116. Expires is recomputed so a long-running server never serves a stale file.
  app.get('/.well-known/security.txt', { schema: { hide: true } }, async (_request, reply) => {
    const origin = options.publicOrigin();
    const expires = new Date(Date.now() + ONE_YEAR_MS).toISOString();
    reply.type('text/plain; charset=utf-8');
    return [
      `Contact: ${options.securityContact}`,
      `Expires: ${expires}`,
      'Preferred-Languages: en',
      `Canonical: ${origin}/.well-known/security.txt`,
      `Policy: ${origin}/security-policy`,
      '',
    ].join('\n');
  });

  app.get('/security-policy', { schema: { hide: true } }, async (_request, reply) => {
    reply.type('text/plain; charset=utf-8');
    return options.policyText;
  });
};
