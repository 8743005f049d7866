import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { AppError } from '../core/errors.ts';
import type { PendingLoginStore } from './pending-login-store.ts';

/** One OpenID provider as Enclave's client there knows it. */
export interface OidcClientSettings {
  /** The issuer identifier; https, or http only for a loopback address (tests, local development). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Enclave's callback URL, exactly as registered at the provider. */
  redirectUri: string;
  /** Defaults to `openid email profile`. */
  scopes?: readonly string[];
}

/** Settings known up front, or chosen from what the sign-in carried (one callback URL serving many providers). */
export type OidcSettingsSource = OidcClientSettings | ((data: Record<string, string>) => OidcClientSettings | undefined);

/** Who the provider vouched for, from the verified ID token (and its userinfo endpoint for claims the token leaves out). */
export interface OidcIdentity {
  subject: string;
  email: string;
  emailVerified: boolean;
  name?: string;
  claims: Record<string, unknown>;
  /** What `startOidcLogin` was given to carry through the round trip. */
  data: Record<string, string>;
}

/**
 * A refused OIDC answer. `code` is what clients see; `reason` is openid-client's own
 * error code (never the provider's message or a token), for the server log only.
 */
export class OidcLoginError extends AppError {
  readonly reason: string;

  constructor(statusCode: number, code: string, message: string, reason: string) {
    super(statusCode, code, message);
    this.name = 'OidcLoginError';
    this.reason = reason;
  }
}

const DEFAULT_SCOPES = ['openid', 'email', 'profile'] as const;
const DISCOVERY_TIMEOUT_SECONDS = 10;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether an issuer may be reached over plain http: only on this machine, where nobody sits between. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** Discovered configurations, per issuer, client and secret, so a changed secret is picked up. */
const configurations = new Map<string, Promise<client.Configuration>>();
/** Workspace SSO connections come and go (and secrets rotate): the oldest entries make way. */
const MAX_CONFIGURATIONS = 256;

function configurationKey(settings: OidcClientSettings): string {
  return createHash('sha256').update(JSON.stringify([settings.issuer, settings.clientId, settings.clientSecret])).digest('hex');
}

async function discover(settings: OidcClientSettings): Promise<client.Configuration> {
  const issuer = new URL(settings.issuer);
  const insecure = isLoopbackHttp(issuer);
  if (issuer.protocol !== 'https:' && !insecure) {
    throw new OidcLoginError(502, 'oidc_provider_unavailable', 'the identity provider is not reachable over https', 'issuer_not_https');
  }
  // openid-client refuses http outright; the loopback exception above is the only way in.
  const execute = insecure ? [client.allowInsecureRequests] : [];
  return client.discovery(issuer, settings.clientId, settings.clientSecret, client.ClientSecretBasic(settings.clientSecret), {
    execute,
    timeout: DISCOVERY_TIMEOUT_SECONDS,
  });
}

function configuration(settings: OidcClientSettings): Promise<client.Configuration> {
  const key = configurationKey(settings);
  let found = configurations.get(key);
  if (!found) {
    found = discover(settings);
    if (configurations.size >= MAX_CONFIGURATIONS) configurations.delete(configurations.keys().next().value!);
    configurations.set(key, found);
    // A failed discovery is not remembered: the next sign-in tries again.
    found.catch(() => configurations.delete(key));
  }
  return found.catch((error: unknown) => {
    if (error instanceof OidcLoginError) throw error;
    throw new OidcLoginError(502, 'oidc_provider_unavailable', 'the identity provider could not be reached; try again later', reasonOf(error));
  });
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : error instanceof Error ? error.name : 'unknown';
}

const stateInvalid = (reason: string) =>
  new OidcLoginError(400, 'oidc_state_invalid', 'this sign-in was not started here, was already used or took too long; start again', reason);

/**
 * Sends the browser to the provider: authorization code flow with PKCE (S256), `state`
 * and `nonce`, all three fresh and remembered server-side under the state's hash for
 * `finishOidcLogin`. `purpose` binds the state to the flow that started it.
 */
export async function startOidcLogin(
  settings: OidcClientSettings,
  store: PendingLoginStore,
  purpose: string,
  data: Record<string, string> = {},
): Promise<URL> {
  const config = await configuration(settings);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  store.save(state, { purpose, codeVerifier, nonce, data });
  return client.buildAuthorizationUrl(config, {
    redirect_uri: settings.redirectUri,
    scope: (settings.scopes ?? DEFAULT_SCOPES).join(' '),
    state,
    nonce,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  });
}

/**
 * Completes a callback. The state must name a pending sign-in of this purpose (it is used
 * up either way); openid-client then checks the response's `iss`, redeems the code with
 * the PKCE verifier, and verifies the ID token's signature, `iss`, `aud`, expiry and nonce.
 */
export async function finishOidcLogin(
  settings: OidcSettingsSource,
  store: PendingLoginStore,
  purpose: string,
  callbackUrl: URL,
): Promise<OidcIdentity> {
  const state = callbackUrl.searchParams.get('state');
  if (!state) throw stateInvalid('state_missing');
  const pending = store.take(state);
  if (!pending) throw stateInvalid('state_unknown');
  if (pending.purpose !== purpose) throw stateInvalid('state_purpose_mismatch');
  const chosen = typeof settings === 'function' ? settings(pending.data) : settings;
  if (!chosen) throw stateInvalid('provider_gone');
  // The provider's own error text is not repeated: it is theirs, and may echo what it was sent.
  if (callbackUrl.searchParams.has('error')) throw new OidcLoginError(400, 'oidc_denied', 'the identity provider did not sign you in', 'provider_error');
  const config = await configuration(chosen);
  // The code was issued for the registered redirect URI; build the current URL from it, not from the request's Host.
  const current = new URL(chosen.redirectUri);
  current.search = callbackUrl.search;
  let claims: Record<string, unknown>;
  try {
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedNonce: pending.nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error('no ID token');
    // Providers may keep profile claims out of the ID token (OIDC Core 5.4): ask userinfo for the rest, bound to the same subject.
    const more = typeof idClaims.email === 'string' ? {} : await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    claims = { ...more, ...idClaims };
  } catch (error) {
    throw new OidcLoginError(401, 'oidc_failed', 'the identity provider’s answer could not be verified; start again', reasonOf(error));
  }
  const email = typeof claims.email === 'string' ? claims.email.trim() : '';
  if (!email) throw new OidcLoginError(401, 'oidc_email_missing', 'the identity provider did not share an email address', 'email_missing');
  return {
    subject: String(claims.sub),
    email,
    // Some providers send the flag as a string; anything but an explicit true is unverified.
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    ...(typeof claims.name === 'string' && claims.name ? { name: claims.name } : {}),
    claims,
    data: pending.data,
  };
}
