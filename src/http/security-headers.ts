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
    frameguard: { action: 'deny' as const },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' as const },
    crossOriginEmbedderPolicy: true,
  };
}

/**
 * WEB-01: helmet decides the header set; since every header is static, it is computed once
 * here rather than by running helmet on every request. Helmet has no Permissions-Policy,
 * so that one is added.
 */
export function securityHeaders(options: { https: boolean }): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(helmetOptions(options.https))({} as IncomingMessage, collector as unknown as ServerResponse, () => undefined);
  headers['permissions-policy'] = PERMISSIONS_POLICY;
  return Object.freeze(headers);
}

/** Registered first, on onRequest, so 404s, errors and rate-limited answers carry the headers too. */
export function registerSecurityHeaders(app: FastifyInstance, headers: Readonly<Record<string, string>>): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(headers);
    // API answers are per-user and may hold sensitive data: never cache them (ASVS V14.3.2).
    if (!request.url.startsWith('/assets/')) reply.header('cache-control', 'no-store');
  });
}

export type HeaderWriter = (response: ServerResponse) => void;

/** The same headers for the one answer Fastify sends before any hook runs (a malformed URL). */
export function headerWriter(headers: Readonly<Record<string, string>>): HeaderWriter {
  return (response) => {
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.setHeader('cache-control', 'no-store');
  };
}
