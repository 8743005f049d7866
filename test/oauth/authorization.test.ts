import { auth } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browseConsent, loopbackRedirect, TestOAuthClient } from '../helpers/mcp-oauth.ts';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';

let enclave: TestServer;
let redirect: Awaited<ReturnType<typeof loopbackRedirect>>;
let person: TestUser;
let cookie: string;
let workspaceId: string;

/** Every value in every table of the (decrypted) control database, as one string. */
function controlDatabaseText(): string {
  const db = enclave.server.platform.controlDb;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  return tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
}

async function token(body: Record<string, string>): Promise<Response> {
  return fetch(`${enclave.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
}

/** The whole authorization-code flow as the MCP SDK 2.x runs it, with the person consenting over HTTP. */
async function authorize(choice: { workspaceId?: string; scopes?: string[] } = {}) {
  const client = new TestOAuthClient({ redirectUrl: redirect.url });
  const serverUrl = `${enclave.url}/mcp`;
  expect(await auth(client, { serverUrl })).toBe('REDIRECT');
  const consent = await browseConsent(enclave.url, cookie, client.authorizationUrl!, { decision: 'allow', ...choice });
  const code = consent.redirectedTo.searchParams.get('code');
  expect(code).toBeTruthy();
  expect(await auth(client, { serverUrl, authorizationCode: code!, iss: consent.redirectedTo.searchParams.get('iss')! })).toBe('AUTHORIZED');
  return { client, consent, tokens: client.tokens()! };
}

beforeAll(async () => {
  enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 200 } });
  redirect = await loopbackRedirect();
  person = await enclave.createUser();
  cookie = await enclave.signIn(person);
  const created = await enclave.request('POST', '/api/workspaces', { cookie, body: { name: 'Northwind' } });
  workspaceId = ((await created.json()) as { id: string }).id;
});

afterAll(async () => {
  await redirect?.close();
  await enclave?.close();
});

describe('OAuth 2.1 authorization server for MCP clients', () => {
  it('[AIC-02] publishes protected-resource (RFC 9728) and authorization-server (RFC 8414) metadata', async () => {
    const resource = await (await fetch(`${enclave.url}/.well-known/oauth-protected-resource/mcp`)).json();
    expect(resource).toMatchObject({ resource: `${enclave.url}/mcp`, authorization_servers: [enclave.url], scopes_supported: ['datasets:read', 'datasets:sql'] });
    const metadata = (await (await fetch(`${enclave.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(enclave.url);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.client_id_metadata_document_supported).toBe(true);
    expect(metadata.registration_endpoint).toBe(`${enclave.url}/oauth/register`);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(['none']);
  });

  it('[AIC-02] the SDK registers, the person consents for one workspace, and the code comes back with iss (RFC 9207)', async () => {
    const { consent, tokens } = await authorize();
    expect(consent.details.client.name).toBe('Test MCP client');
    expect(consent.details.workspaces.map((workspace) => workspace.id)).toEqual([workspaceId]);
    expect(consent.redirectedTo.searchParams.get('iss')).toBe(enclave.url);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toBeTruthy();
    const listed = await enclave.request('GET', `/api/w/${workspaceId}/mcp/clients`, { cookie });
    expect(((await listed.json()) as { clients: { clientName: string; scopes: string[] }[] }).clients).toMatchObject([
      { clientName: 'Test MCP client', scopes: ['datasets:read', 'datasets:sql'] },
    ]);
  });

  it('[AIC-02] a dynamically registered client with only loopback redirect URIs is a native app', async () => {
    const response = await fetch(`${enclave.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [redirect.url], token_endpoint_auth_method: 'none' }),
    });
    expect(response.status).toBe(201);
    const registered = (await response.json()) as Record<string, unknown>;
    expect(registered.application_type).toBe('native');
    expect(registered.client_secret).toBeUndefined();
  });

  it('[AIC-02] a client that asks for a client secret is refused: only public clients with PKCE exist', async () => {
    const response = await fetch(`${enclave.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [redirect.url], token_endpoint_auth_method: 'client_secret_basic' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_client_metadata');
  });

  it('[AIC-04] the control database holds no usable access token, refresh token or code', async () => {
    const { tokens, consent } = await authorize();
    const text = controlDatabaseText();
    expect(text).not.toContain(tokens.access_token);
    expect(text).not.toContain(tokens.refresh_token!);
    expect(text).not.toContain(consent.redirectedTo.searchParams.get('code')!);
  });

  it('[AIC-02] a refresh token rotates, and one used twice revokes the whole grant', async () => {
    const { client, tokens } = await authorize();
    const clientId = client.clientInformation()!.client_id;
    const first = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: clientId });
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as { access_token: string; refresh_token: string };
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect(enclave.server.platform.oauth.authenticate(rotated.access_token)).toMatchObject({ type: 'mcp_client', workspaceId });
    const replay = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: clientId });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
    expect(enclave.server.platform.oauth.authenticate(rotated.access_token)).toBeUndefined();
    const after = await token({ grant_type: 'refresh_token', refresh_token: rotated.refresh_token, client_id: clientId });
    expect(after.status).toBe(400);
  });

  it('[AIC-02] a code exchanged without its PKCE verifier, with a wrong one, or a second time gets no token', async () => {
    const client = new TestOAuthClient({ redirectUrl: redirect.url });
    expect(await auth(client, { serverUrl: `${enclave.url}/mcp` })).toBe('REDIRECT');
    const consent = await browseConsent(enclave.url, cookie, client.authorizationUrl!, { decision: 'allow' });
    const code = consent.redirectedTo.searchParams.get('code')!;
    const clientId = client.clientInformation()!.client_id;
    const base = { grant_type: 'authorization_code', code, client_id: clientId, redirect_uri: redirect.url };
    expect((await token(base)).status).toBe(400);
    expect((await token({ ...base, code_verifier: 'x'.repeat(43) })).status).toBe(400);
    expect((await token({ ...base, code_verifier: client.codeVerifier() })).status).toBe(200);
    expect((await token({ ...base, code_verifier: client.codeVerifier() })).status).toBe(400);
  });

  it('[AIC-06] revoking the access token (RFC 7009) or the client in the dashboard ends access at once', async () => {
    const first = await authorize();
    const clientId = first.client.clientInformation()!.client_id;
    const revoked = await fetch(`${enclave.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: first.tokens.access_token, client_id: clientId }),
    });
    expect(revoked.status).toBe(200);
    expect(enclave.server.platform.oauth.authenticate(first.tokens.access_token)).toBeUndefined();

    const second = await authorize();
    const actor = enclave.server.platform.oauth.authenticate(second.tokens.access_token);
    expect(actor).toMatchObject({ type: 'mcp_client', workspaceId, userId: person.id });
    const removed = await enclave.request('DELETE', `/api/w/${workspaceId}/mcp/clients/${actor!.id}`, { cookie });
    expect(removed.status).toBe(204);
    expect(enclave.server.platform.oauth.authenticate(second.tokens.access_token)).toBeUndefined();
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: second.tokens.refresh_token!, client_id: second.client.clientInformation()!.client_id });
    expect(refreshed.status).toBe(400);
  });

  it('[AIC-06] a token for another resource is refused, and an MCP token is not an API credential', async () => {
    const client = new TestOAuthClient({ redirectUrl: redirect.url });
    expect(await auth(client, { serverUrl: `${enclave.url}/mcp` })).toBe('REDIRECT');
    const elsewhere = new URL(client.authorizationUrl!);
    elsewhere.searchParams.set('resource', 'https://other.example/mcp');
    const response = await fetch(elsewhere, { redirect: 'manual', headers: { cookie } });
    const location = new URL(response.headers.get('location') ?? '', enclave.url);
    expect(location.searchParams.get('error')).toBe('invalid_target');

    const { tokens } = await authorize();
    const api = await enclave.request('GET', `/api/w/${workspaceId}/datasets`, { token: tokens.access_token });
    expect(api.status).toBe(401);
  });

  it('[AIC-07] the consent keeps only the scopes the person ticked, and the person can decline', async () => {
    const { tokens } = await authorize({ scopes: ['datasets:read'] });
    expect(enclave.server.platform.oauth.authenticate(tokens.access_token)).toMatchObject({ scopes: ['datasets:read'] });

    const client = new TestOAuthClient({ redirectUrl: redirect.url });
    expect(await auth(client, { serverUrl: `${enclave.url}/mcp` })).toBe('REDIRECT');
    const declined = await browseConsent(enclave.url, cookie, client.authorizationUrl!, { decision: 'deny' });
    expect(declined.redirectedTo.searchParams.get('error')).toBe('access_denied');
    expect(declined.redirectedTo.searchParams.get('code')).toBeNull();
  });

  it('[AIC-02] the consent step answers only a signed-in person, and only for their own workspaces', async () => {
    const client = new TestOAuthClient({ redirectUrl: redirect.url });
    expect(await auth(client, { serverUrl: `${enclave.url}/mcp` })).toBe('REDIRECT');
    const response = await fetch(client.authorizationUrl!, { redirect: 'manual', headers: { accept: 'text/html' } });
    const interaction = new URL(response.headers.get('location')!, enclave.url);
    const interactionCookies = response.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
    const anonymous = await fetch(new URL(`${interaction.pathname}/details`, enclave.url), { headers: { cookie: interactionCookies } });
    expect(anonymous.status).toBe(401);

    const stranger = await enclave.createUser();
    const strangerCookie = await enclave.signIn(stranger);
    const foreign = await fetch(new URL(`${interaction.pathname}/decision`, enclave.url), {
      method: 'POST',
      headers: { cookie: `${strangerCookie}; ${interactionCookies}`, origin: enclave.url, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'allow', workspaceId, scopes: ['datasets:read'] }),
    });
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('workspace_not_found');
  });
});
