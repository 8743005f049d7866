import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The person the provider signs in at its next interaction, as its login form would. */
export interface ProviderAccount {
  sub: string;
  email: string;
  name?: string;
}

export interface TestOidcProvider {
  issuer: string;
  /** Signs in this account at the next interaction. */
  signInAs(account: ProviderAccount): void;
  /**
   * Follows a browser from Enclave's redirect through the provider (login and consent
   * granted at once) to the callback URL it is sent back to, with the provider's cookies.
   */
  authorize(redirect: string): Promise<URL>;
  close(): Promise<void>;
}

// oidc-provider ships no type declarations; a computed specifier keeps TypeScript from looking for them.
const PROVIDER_MODULE: string = 'oidc-provider';

/**
 * panva's oidc-provider, a certified OpenID Provider, on 127.0.0.1: a real peer for the
 * OIDC half of enterprise SSO (IDN-06). One confidential client; PKCE required; the
 * account's email comes verified or not, as the test says.
 */
export async function startOidcProvider(client: { clientId: string; clientSecret: string; redirectUri: string }): Promise<TestOidcProvider> {
  const { default: Provider } = (await import(PROVIDER_MODULE)) as { default: new (issuer: string, config: object) => any };
  const accounts = new Map<string, ProviderAccount>();
  let next: ProviderAccount | undefined;
  let provider: any;
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url?.startsWith('/interaction/')) {
      void (async () => {
        const details = await provider.interactionDetails(request, response);
        if (!next) throw new Error('no account to sign in: call signInAs first');
        accounts.set(next.sub, next);
        const grant = new provider.Grant({ accountId: next.sub, clientId: details.params.client_id });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        await provider.interactionFinished(request, response, { login: { accountId: next.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
      })().catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
      return;
    }
    provider.callback()(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [client.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_context: unknown, id: string) => {
      const account = accounts.get(id);
      return account && { accountId: id, claims: async () => ({ sub: id, email: account.email, email_verified: true, ...(account.name ? { name: account.name } : {}) }) };
    },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    interactions: { url: (_context: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['enclave-test-provider-cookie-key'] },
    // Its own key and lifetimes, so the provider does not warn about its development defaults.
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' }] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
  });
  // The provider's own log of every refused request would only be noise in test output.
  provider.on('server_error', () => {});

  return {
    issuer,
    signInAs(account) {
      next = account;
    },
    async authorize(redirect) {
      const jar = new Map<string, string>();
      let url = new URL(redirect);
      for (let hop = 0; hop < 10; hop++) {
        if (url.origin !== issuer) return url;
        const response = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') } });
        for (const line of response.headers.getSetCookie()) {
          const [pair] = line.split(';');
          const eq = pair!.indexOf('=');
          jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
        }
        const location = response.headers.get('location');
        if (!location) throw new Error(`the provider stopped at ${url.pathname} with ${response.status}: ${await response.text()}`);
        url = new URL(location, url);
      }
      throw new Error('too many redirects at the provider');
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
