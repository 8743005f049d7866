import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A public OAuth client's storage and redirect, through the provider interface that both
 * MCP SDK generations define (OAuthClientProvider): nothing Enclave-specific. The browser
 * step is `browse`, given the authorization URL the SDK builds.
 */
export class TestOAuthClient {
  readonly redirectUrl: string;
  readonly clientMetadataUrl: string | undefined;
  readonly clientMetadata: { client_name: string; redirect_uris: string[]; grant_types: string[]; response_types: string[]; token_endpoint_auth_method: string };
  authorizationUrl: URL | undefined;
  #client: { client_id: string } | undefined;
  #tokens: { access_token: string; refresh_token?: string; token_type: string } | undefined;
  #verifier = '';

  constructor(options: { redirectUrl: string; name?: string; clientMetadataUrl?: string }) {
    this.redirectUrl = options.redirectUrl;
    this.clientMetadataUrl = options.clientMetadataUrl;
    this.clientMetadata = {
      client_name: options.name ?? 'Test MCP client',
      redirect_uris: [options.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.#client;
  }
  saveClientInformation(information: { client_id: string }) {
    this.#client = information;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: { access_token: string; refresh_token?: string; token_type: string }) {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }
}

/** A browser's cookies for one origin, by name; path scoping is left out (sending more cookies changes nothing here). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const separator = pair!.indexOf('=');
      const name = pair!.slice(0, separator).trim();
      const value = pair!.slice(separator + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface ConsentChoice {
  decision: 'allow' | 'deny';
  workspaceId?: string;
  scopes?: string[];
}

export interface BrowsedConsent {
  /** Where the browser ended: the client's redirect URI with code (or error), state and iss. */
  redirectedTo: URL;
  details: { client: { id: string; name: string; kind: string }; scopes: { name: string }[]; workspaces: { id: string; name: string }[] };
}

/**
 * What a person's browser does with an authorization URL: follows it while signed in to
 * Enclave (the session cookie), reads the consent page's data, posts the decision, and
 * follows the redirects back to the client. Only HTTP, as the dashboard would send it.
 */
export async function browseConsent(origin: string, sessionCookie: string, authorizationUrl: URL, choice: ConsentChoice): Promise<BrowsedConsent> {
  const jar = new CookieJar();
  const cookies = () => [sessionCookie, jar.header()].filter(Boolean).join('; ');
  let response = await fetch(authorizationUrl, { redirect: 'manual', headers: { cookie: cookies(), accept: 'text/html' } });
  jar.take(response);
  const interaction = new URL(response.headers.get('location') ?? '', origin);
  if (response.status !== 303 || !interaction.pathname.startsWith('/oauth/interaction/')) {
    throw new Error(`expected a redirect to the consent page, got ${response.status} ${await response.text()}`);
  }
  response = await fetch(new URL(`${interaction.pathname}/details`, origin), { headers: { cookie: cookies() } });
  if (response.status !== 200) throw new Error(`consent details: ${response.status} ${await response.text()}`);
  const details = (await response.json()) as BrowsedConsent['details'];
  const body = choice.decision === 'deny' ? { decision: 'deny' } : { decision: 'allow', workspaceId: choice.workspaceId ?? details.workspaces[0]!.id, scopes: choice.scopes ?? details.scopes.map((scope) => scope.name) };
  response = await fetch(new URL(`${interaction.pathname}/decision`, origin), {
    method: 'POST',
    headers: { cookie: cookies(), origin, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`consent decision: ${response.status} ${await response.text()}`);
  jar.take(response);
  let next = new URL(((await response.json()) as { redirectTo: string }).redirectTo, origin);
  // The provider resumes the authorization, then sends the browser back to the client.
  for (let hops = 0; hops < 5 && next.origin === origin; hops += 1) {
    response = await fetch(next, { redirect: 'manual', headers: { cookie: cookies(), accept: 'text/html' } });
    jar.take(response);
    const location = response.headers.get('location');
    if (!location) throw new Error(`authorization did not redirect: ${response.status} ${next.pathname} ${await response.text()}`);
    next = new URL(location, origin);
  }
  return { redirectedTo: next, details };
}

/** A loopback redirect URI that nothing needs to answer: the test reads the code from the URL the browser was sent to. */
export async function loopbackRedirect(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/callback`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
