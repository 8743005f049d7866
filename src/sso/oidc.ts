import { finishOidcLogin, startOidcLogin, type OidcClientSettings } from '../oidc/relying-party.ts';
import type { PendingLoginStore } from '../oidc/pending-login-store.ts';
import { serviceProviderUrls, type UsableConnection } from './connections.ts';
import type { OidcSsoFlow } from './sign-in.ts';

type OidcConnection = Extract<UsableConnection, { protocol: 'oidc' }>;

/** Binds a pending sign-in to SSO, so a state started for server-wide OIDC sign-in (IDN-03) is refused here, and the reverse. */
const PURPOSE = 'sso';

function settingsOf(connection: OidcConnection, origin: string): OidcClientSettings {
  return {
    issuer: connection.issuer,
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    redirectUri: serviceProviderUrls(origin, connection.id).oidcRedirectUri,
  };
}

/**
 * OIDC connections through the shared relying party (src/oidc/): code flow with PKCE,
 * state and nonce. Every connection shares one callback URL; the pending sign-in carries
 * which connection it was started for, so the answer is checked against that IdP only.
 */
export function oidcSsoFlow(store: PendingLoginStore): OidcSsoFlow {
  return {
    start: (connection, origin, bindingDigest) =>
      startOidcLogin(settingsOf(connection, origin), store, PURPOSE, { connectionId: connection.id, binding: bindingDigest }),
    async finish(callbackUrl, origin, connectionOf) {
      let connection: OidcConnection | undefined;
      const identity = await finishOidcLogin(
        (data) => {
          connection = connectionOf(data.connectionId ?? '');
          return connection && settingsOf(connection, origin);
        },
        store,
        PURPOSE,
        callbackUrl,
      );
      return {
        connection: connection!,
        subject: identity.subject,
        email: identity.email.toLowerCase(),
        name: identity.name,
        bindingDigest: identity.data.binding,
      };
    },
  };
}
