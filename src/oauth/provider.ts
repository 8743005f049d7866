import { hkdfSync } from 'node:crypto';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { SqliteDatabase } from '../core/database.ts';
import { agentSigningKeys } from '../agents/tokens.ts';
import { MCP_SCOPE_NAMES } from '../mcp/scopes.ts';
import { SqliteOAuthAdapter } from './adapter.ts';
import { loopbackMetadataFetch } from './client-metadata-fetch.ts';
import { OAUTH_ROUTES, INTERACTION_PATH } from './paths.ts';

/** Short-lived access tokens; refresh tokens rotate on every use (AIC-02). */
export const ACCESS_TOKEN_SECONDS = 15 * 60;
const REFRESH_TOKEN_SECONDS = 30 * 86_400;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/**
 * Not metadata a client sends: a registered extra property only so that oidc-provider runs
 * `validator` on every registration, where a missing `application_type` is decided.
 */
const APPLICATION_TYPE_DEFAULT = 'enclave_application_type_default';

export interface OAuthProviderOptions {
  controlDb: SqliteDatabase;
  /** The public origin: the issuer, and the MCP resource is `<origin>/mcp`. */
  origin: string;
  /** Key material for the provider's cookie signatures and its token-signing key. */
  cookieSecret: string;
  signingSeed: Buffer;
  secureCookies: boolean;
  behindProxy: boolean;
  /** Tests and local development only: fetch client metadata documents from loopback, trusting this CA. */
  loopbackClientMetadata: { ca: string | undefined } | undefined;
}

function isLoopback(uri: unknown): boolean {
  if (typeof uri !== 'string') return false;
  const url = URL.parse(uri);
  return url !== null && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * The OAuth 2.1 authorization server for AI clients (AIC-02, AIC-03), built on panva's
 * oidc-provider (OpenID-certified, maintained) rather than better-auth's OAuth plugin:
 * that plugin finds the signed-in person through better-auth's own session lookup, which
 * Enclave's sealed, rotating sessions (SES-01) deliberately defeat, while oidc-provider
 * hands login and consent to our own routes (src/oauth/interactions.ts).
 */
export function createOAuthProvider(options: OAuthProviderOptions): Provider {
  const resource = `${options.origin}/mcp`;
  const cookieKey = Buffer.from(hkdfSync('sha256', options.cookieSecret, '', 'enclave oauth cookies v1', 32)).toString('base64url');
  const signingKey = agentSigningKeys(Buffer.from(hkdfSync('sha256', options.signingSeed, '', 'enclave oauth signing v1', 32))).privateKey;
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: options.secureCookies, signed: true };
  const configuration: Configuration = {
    adapter: (model: string) => new SqliteOAuthAdapter(options.controlDb, model),
    clients: [],
    // Public clients only: no client secret is ever issued, so none can be stored (AIC-04).
    clientAuthMethods: ['none'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'EdDSA',
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    // The MCP scopes are listed here too: clients put them in their registration's `scope`,
    // which oidc-provider checks against this list (the consent grants and rejects them).
    scopes: ['openid', 'offline_access', ...MCP_SCOPE_NAMES],
    routes: OAUTH_ROUTES,
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
    // Consent is asked every time: only the grant the person just made is loaded, never an
    // earlier one, so our own session is checked again by the consent step (interactions.ts).
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    // Tokens outlive the provider's short login session; revocation ends them instead.
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: ACCESS_TOKEN_SECONDS,
      AuthorizationCode: 60,
      Grant: REFRESH_TOKEN_SECONDS,
      IdToken: 600,
      Interaction: 600,
      RefreshToken: REFRESH_TOKEN_SECONDS,
      // The provider's own login session only carries one authorization to its code: every
      // authorization asks Enclave's session again, and a lingering provider session of one
      // person would meet another person's consent in the same browser with a sign-out page.
      Session: 10,
    },
    cookies: { keys: [cookieKey], long: cookie, short: cookie },
    jwks: { keys: [{ ...signingKey.export({ format: 'jwk' }), kid: 'enclave-oauth-v1', use: 'sig', alg: 'EdDSA' }] },
    enabledJWA: { idTokenSigningAlgValues: ['EdDSA'] },
    extraClientMetadata: {
      properties: [APPLICATION_TYPE_DEFAULT],
      // RFC 8252: a client that registers only loopback redirect URIs and names no type is a
      // native app (MCP SDK 1.x clients omit it); as `web` it would lose loopback port matching.
      validator(ctx, key, _value, metadata) {
        if (key !== APPLICATION_TYPE_DEFAULT) return;
        delete metadata[APPLICATION_TYPE_DEFAULT];
        const body = (ctx as KoaContextWithOIDC | undefined)?.oidc?.body as Record<string, unknown> | undefined;
        const registering = (ctx as KoaContextWithOIDC | undefined)?.oidc?.route === 'registration';
        const uris = metadata.redirect_uris;
        if (registering && body?.application_type === undefined && Array.isArray(uris) && uris.length > 0 && uris.every(isLoopback)) {
          metadata.application_type = 'native';
        }
      },
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      registration: { enabled: true },
      revocation: { enabled: true },
      // RFC 8707: every access token names the MCP endpoint as its audience, and no other resource exists here.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, requested) => {
          if (requested !== resource) throw new errors.InvalidTarget('the only resource here is the MCP endpoint');
          return { scope: MCP_SCOPE_NAMES.join(' '), audience: resource, accessTokenTTL: ACCESS_TOKEN_SECONDS, accessTokenFormat: 'opaque' };
        },
      },
      // AIC-03: a client may name itself by the https URL of its metadata document.
      clientIdMetadataDocument: { enabled: true, ack: 'draft-02' },
    },
    // A browser-based client (the MCP Inspector) calls the token endpoint from its own origin.
    clientBasedCORS: (_ctx, origin, client) => (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(String(out.error ?? 'error'), String(out.error_description ?? ''));
    },
    ...(options.loopbackClientMetadata ? { fetch: loopbackMetadataFetch(options.loopbackClientMetadata.ca) } : {}),
  };
  const provider = new Provider(options.origin, configuration);
  provider.proxy = options.behindProxy;
  return provider;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** oidc-provider's own error page has inline styles, which the CSP forbids. */
function errorPage(code: string, description: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorization failed</title></head><body><h1>Authorization failed</h1><p>${escapeHtml(code)}</p><p>${escapeHtml(description)}</p></body></html>`;
}
