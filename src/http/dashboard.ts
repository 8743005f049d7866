import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError } from '../core/errors.ts';

export const DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const NOT_DASHBOARD = /^\/(api|mcp|sync|hooks|\.well-known)(\/|$)/;

/**
 * Serves the built dashboard. Hashed assets are cached for a year; every other path that
 * a browser navigates to gets index.html, so client-side routes survive a reload.
 */
export async function registerDashboard(app: FastifyInstance): Promise<void> {
  const built = existsSync(`${DASHBOARD_DIR}index.html`);
  if (built) {
    await app.register(fastifyStatic, {
      root: DASHBOARD_DIR,
      wildcard: false,
      cacheControl: false,
      setHeaders: (reply, path) => {
        if (path.includes('/assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
  }
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (NOT_DASHBOARD.test(path) || !request.headers.accept?.includes('text/html')) {
      throw new AppError(404, 'not_found', 'no such route');
    }
    if (!built) throw new AppError(404, 'dashboard_not_built', 'the dashboard is not built; run ./enclave serve');
    return reply.sendFile('index.html');
  });
}
