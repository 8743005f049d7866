import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.ts';
import { OAUTH_ROUTES } from '../oauth/paths.ts';
import { SAML_ACS_ROUTE } from '../sso/auth-routes.ts';
import { WEBHOOK_ROUTE } from '../workflows/webhook-routes.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * AIC-02: the OAuth endpoints AI clients call directly — browser-based ones (the MCP
 * Inspector) from their own origin, under CORS. They read no cookie: the client proves
 * itself with a code and its PKCE verifier, a refresh token, or nothing (registration).
 */
const COOKIELESS_OAUTH_ROUTES = new Set<string>([OAUTH_ROUTES.token, OAUTH_ROUTES.registration, OAUTH_ROUTES.revocation]);

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * WEB-04: a state-changing request that a browser sends from another origin is refused,
 * whether or not it carries a cookie. Browsers always label such requests (Origin,
 * Sec-Fetch-Site); clients that are not browsers send neither and authenticate with a
 * bearer token, which a cross-site page cannot attach. A request carrying a cookie must
 * prove its origin with Origin or Referer.
 */
export function registerOriginCheck(app: FastifyInstance, allowedOrigins: () => readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    // IDN-06: the SAML HTTP-POST binding has the IdP's page submit a form to this one route
    // from the IdP's origin, so it is cross-site by design. What proves it is the signed
    // assertion, bound to a request id Enclave issued and usable once. The route reads no
    // cookie and opens no session: that happens on a same-site step that needs the cookie
    // of the browser that started the sign-in (src/sso/sign-in.ts), so a forged post gains nothing.
    if (request.method === 'POST' && request.routeOptions.url === SAML_ACS_ROUTE) return;
    if (request.method === 'POST' && COOKIELESS_OAUTH_ROUTES.has(request.routeOptions.url ?? '')) return;
    // WEB-07: webhook deliveries are server-to-server. The route reads no cookie and no
    // session; what proves the sender is the Standard Webhooks signature over the raw body.
    if (request.method === 'POST' && request.routeOptions.url === WEBHOOK_ROUTE) return;
    const allowed = allowedOrigins();
    const origin = request.headers.origin;
    if (origin !== undefined) {
      if (!allowed.includes(origin)) throw new AppError(403, 'cross_origin_refused', 'requests from this origin are not allowed');
      return;
    }
    const site = request.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      throw new AppError(403, 'cross_origin_refused', 'requests from this origin are not allowed');
    }
    if (request.headers.cookie !== undefined) {
      const referer = request.headers.referer;
      const refererOrigin = referer ? originOf(referer) : undefined;
      if (!refererOrigin || !allowed.includes(refererOrigin)) {
        throw new AppError(403, 'origin_required', 'a request with cookies must carry an Origin header from this site');
      }
    }
  });
}
