import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()';
const TWO_YEARS = 63_072_000;

function helmetOptions(https: boolean) {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        // Only over HTTPS: on plain-HTTP development it would rewrite asset URLs to https.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: { maxAge: TWO_YEARS, includeSubDomains: true, preload: true },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: true,
  } as const;
}

export type HeaderWriter = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * WEB-01: the header set comes from helmet (registered globally on onRequest, so 404s and
 * errors carry it too); helmet has no Permissions-Policy, so that one header is added here.
 */
export async function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): Promise<void> {
  await app.register(fastifyHelmet, { global: true, ...helmetOptions(options.https) });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    // API answers are per-user and may hold sensitive data: never cache them (ASVS V14.3.2).
    if (!request.url.startsWith('/assets/')) reply.header('cache-control', 'no-store');
  });
}

/** The same header set as a plain function, for the one answer Fastify sends before any hook runs (a malformed URL). */
export function securityHeaderWriter(options: { https: boolean }): HeaderWriter {
  const middleware = helmet(helmetOptions(options.https));
  return (request, response) => {
    middleware(request, response, () => undefined);
    response.setHeader('permissions-policy', PERMISSIONS_POLICY);
    response.setHeader('cache-control', 'no-store');
  };
}
