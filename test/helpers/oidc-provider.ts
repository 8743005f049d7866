import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/** The claims a test person has at the provider. */
export interface OidcAccount {
  email: string;
  email_verified: boolean;
  name?: string;
  /** Google Workspace's hosted-domain claim. */
  hd?: string;
}

export interface OidcClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

/** A real OpenID provider (panva's oidc-provider) on 127.0.0.1, with sign-in done by the test instead of a login page. */
export interface TestOidcProvider {
  issuer: string;
  /** People by subject; add before they sign in. */
  accounts: Map<string, OidcAccount>;
  /** Registers the clients once their redirect URIs are known; the provider answers only after this. */
  configure(clients: OidcClient[]): void;
  /**
   * Follows an authorization URL as a browser would, with the person `subject` signing in
   * at the provider, and returns where the provider sends the browser back (the callback URL).
   */
  authorize(authorizationUrl: string, subject: string): Promise<URL>;
  /** For a real browser going through the provider: who signs in at its next login page. */
  signInNextAs(subject: string): void;
  close(): Promise<void>;
}

/** A minimal cookie jar for one browser at the provider: oidc-provider keeps its interaction state in cookies. */
function remember(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}

export async function startOidcProvider(): Promise<TestOidcProvider> {
  let provider: Provider | undefined;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /** Who signs in at the next interaction; set by `authorize`. */
  let signingIn: string | undefined;
  const accounts = new Map<string, OidcAccount>();

  const server = createServer((req, res) => {
    if (!provider || !handler) {
      res.statusCode = 503;
      res.end();
      return;
    }
    // The login page a real provider would show: the test's person signs in at once.
    if (req.method === 'GET' && req.url?.startsWith('/interaction/')) {
      const active = provider;
      const subject = signingIn;
      if (subject === undefined) {
        res.statusCode = 409;
        res.end();
        return;
      }
      void (async () => {
        await active.interactionDetails(req, res);
        await active.interactionFinished(req, res, { login: { accountId: subject } }, { mergeWithLastSubmission: false });
      })().catch(() => {
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', use: 'sig', alg: 'RS256' };

  return {
    issuer,
    accounts,
    configure(clients) {
      provider = new Provider(issuer, {
        clients: clients.map((client) => ({ ...client, grant_types: ['authorization_code'], response_types: ['code'] })),
        jwks: { keys: [signingKey] },
        cookies: { keys: [randomBytes(32).toString('hex')] },
        claims: { openid: ['sub'], email: ['email', 'email_verified', 'hd'], profile: ['name'] },
        features: { devInteractions: { enabled: false } },
        // Short lives, said explicitly (oidc-provider notices their absence).
        ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
        interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
        // No consent screen: every client gets the scopes it asks for.
        loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
          const grant = new ctx.oidc.provider.Grant({ accountId: ctx.oidc.session!.accountId!, clientId: ctx.oidc.client!.clientId });
          grant.addOIDCScope('openid email profile');
          await grant.save();
          return grant;
        },
        findAccount: (_ctx: unknown, sub: string) => {
          const account = accounts.get(sub);
          return account ? { accountId: sub, claims: () => ({ sub, ...account }) } : undefined;
        },
      });
      handler = provider.callback();
    },
    signInNextAs(subject) {
      signingIn = subject;
    },
    async authorize(authorizationUrl, subject) {
      signingIn = subject;
      const jar = new Map<string, string>();
      let next = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop++) {
        const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
        const response = await fetch(next, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        remember(jar, response);
        const location = response.headers.get('location');
        if (!location) throw new Error(`the provider answered ${response.status} without a redirect: ${await response.text()}`);
        next = new URL(location, next);
        if (next.origin !== issuer) return next;
      }
      throw new Error('the provider kept redirecting');
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
