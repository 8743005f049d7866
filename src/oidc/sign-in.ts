import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import { AppError } from '../core/errors.ts';
import type { FederatedIdentity } from '../identity/federated.ts';
import type { OpenedSession } from '../identity/service.ts';
import { bindingMatches, newBrowserBinding } from './browser-binding.ts';
import type { PendingLoginStore } from './pending-login-store.ts';
import type { OidcProvider } from './providers.ts';
import { finishOidcLogin, OidcLoginError, startOidcLogin, type OidcClientSettings, type OidcIdentity } from './relying-party.ts';

export interface OidcSignInDeps {
  providers: readonly OidcProvider[];
  pendingLogins: PendingLoginStore;
  controlAudit: AuditLog;
  /** The account-linking policy (src/identity/federated.ts). */
  signInFederated(identity: FederatedIdentity, meta: RequestMeta, allowSignUp: boolean): Promise<OpenedSession>;
}

/** Google says an account belongs to a Workspace domain only through `hd`; its address alone may be a personal account's. */
const GOOGLE_ISSUER = 'https://accounts.google.com';

function purposeOf(provider: OidcProvider): string {
  return `sign-in:${provider.id}`;
}

export function oidcCallbackPath(providerId: string): string {
  return `/api/auth/oidc/${providerId}/callback`;
}

function clientSettings(provider: OidcProvider, origin: string): OidcClientSettings {
  return {
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri: `${origin}${oidcCallbackPath(provider.id)}`,
    ...(provider.scopes ? { scopes: provider.scopes } : {}),
  };
}

/** Why an identity is outside the provider's allowed domains, or undefined when it is inside. */
function outsideDomains(provider: OidcProvider, identity: OidcIdentity): string | undefined {
  const allowed = provider.allowedDomains;
  if (!allowed) return undefined;
  const domain = identity.email.slice(identity.email.lastIndexOf('@') + 1).toLowerCase();
  if (!allowed.includes(domain)) return 'email_domain';
  const hd = identity.claims.hd;
  if (hd === undefined) return provider.issuer === GOOGLE_ISSUER ? 'hd_missing' : undefined;
  return typeof hd === 'string' && allowed.includes(hd.toLowerCase()) ? undefined : 'hd_mismatch';
}

/**
 * IDN-03: sign-in with the OpenID providers the operator configured (Google Workspace,
 * any OIDC provider). The relying party proves who the provider vouched for; the linking
 * policy decides which account that is; every refusal is audited with a stable code.
 */
export class OidcSignInService {
  readonly #deps: OidcSignInDeps;

  constructor(deps: OidcSignInDeps) {
    this.#deps = deps;
  }

  /** What the sign-in page may show: ids and labels, nothing about clients or issuers. */
  list(): { id: string; label: string }[] {
    return this.#deps.providers.map(({ id, label }) => ({ id, label }));
  }

  provider(id: string): OidcProvider {
    const provider = this.#deps.providers.find((candidate) => candidate.id === id);
    if (!provider) throw new AppError(404, 'provider_not_found', 'no such sign-in provider');
    return provider;
  }

  /** The provider's authorization URL, and the value the browser must bring back (see browser-binding.ts). */
  async start(providerId: string, origin: string, meta: RequestMeta): Promise<{ url: URL; browserBinding: string }> {
    const provider = this.provider(providerId);
    const binding = newBrowserBinding();
    try {
      const url = await startOidcLogin(clientSettings(provider, origin), this.#deps.pendingLogins, purposeOf(provider), { binding: binding.digest });
      return { url, browserBinding: binding.value };
    } catch (error) {
      throw await this.#refused(provider, error, meta);
    }
  }

  async finish(providerId: string, callbackUrl: URL, cookieHeader: string | undefined, origin: string, meta: RequestMeta): Promise<OpenedSession> {
    const provider = this.provider(providerId);
    try {
      const identity = await finishOidcLogin(clientSettings(provider, origin), this.#deps.pendingLogins, purposeOf(provider), callbackUrl);
      if (!bindingMatches(cookieHeader, identity.data.binding)) {
        throw new OidcLoginError(400, 'oidc_state_invalid', 'this sign-in was started in another browser; start again', 'browser_binding');
      }
      const outside = outsideDomains(provider, identity);
      if (outside) throw new OidcLoginError(403, 'oidc_domain_not_allowed', 'this account is not in a domain allowed to sign in here', outside);
      return await this.#deps.signInFederated(
        {
          // OIDC Core 5.7: only issuer and subject together name a person stably.
          provider: `oidc:${String(identity.claims.iss)}`,
          subject: identity.subject,
          email: identity.email,
          emailVerified: identity.emailVerified,
          ...(identity.name ? { name: identity.name } : {}),
          method: 'oidc',
        },
        meta,
        provider.allowSignUp,
      );
    } catch (error) {
      // The linking policy audits its own refusals.
      if (error instanceof AppError && !(error instanceof OidcLoginError)) throw error;
      throw await this.#refused(provider, error, meta);
    }
  }

  async #refused(provider: OidcProvider, error: unknown, meta: RequestMeta): Promise<unknown> {
    if (!(error instanceof OidcLoginError)) return error;
    const details = { method: 'oidc', provider: provider.id, reason: error.code, cause: error.reason };
    await this.#deps.controlAudit.record(auditEvent(meta, 'user.sign_in', { type: 'oidc_provider', id: provider.id }, details, 'failure'));
    return error;
  }
}
