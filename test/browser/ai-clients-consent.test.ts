import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInBrowser, openWatchedPage, saveScreenshot, setUpDashboard, type PageProblems } from './browser.ts';

/** The AI client's side of the redirect: a loopback server that records where the browser lands (RFC 8252). */
interface Callback {
  redirectUri: string;
  landed(): URL | undefined;
  close(): Promise<void>;
}

async function startCallback(): Promise<Callback> {
  let landed: URL | undefined;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/callback') landed = url;
    response.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this window.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    landed: () => landed,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Problems other than the expected 401s: the consent page and the session probe ask before the person has signed in. */
function unexpectedProblems(problems: PageProblems): string[] {
  return [
    ...problems.cspViolations,
    ...problems.consoleErrors.filter((line) => !/status of 401 .* at https?:\/\/[^/]+\/(api\/auth\/session|oauth\/interaction\/[A-Za-z0-9_-]+\/details)$/.test(line)),
  ];
}

describeInBrowser('the dashboard in a real browser: consenting to an AI client', () => {
  const harness = setUpDashboard();

  /** Registers a public client the way MCP clients do (RFC 7591) and opens its authorization request in the browser. */
  async function startAuthorization(page: Page, callback: Callback, clientName: string) {
    const registered = await harness.enclave.request('POST', '/oauth/register', {
      body: {
        client_name: clientName,
        redirect_uris: [callback.redirectUri],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    });
    expect(registered.status).toBe(201);
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const resource = `${harness.enclave.url}/mcp`;
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: callback.redirectUri,
      scope: 'datasets:read datasets:sql',
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      resource,
    });
    await page.goto(`${harness.enclave.url}/oauth/authorize?${query.toString()}`);
    return { clientId, verifier, state, resource };
  }

  async function exchangeCode(flow: { clientId: string; verifier: string; resource: string }, callback: Callback) {
    return harness.enclave.request('POST', '/oauth/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.landed()?.searchParams.get('code') ?? '',
        redirect_uri: callback.redirectUri,
        client_id: flow.clientId,
        code_verifier: flow.verifier,
        resource: flow.resource,
      }).toString(),
    });
  }

  async function signInHere(page: Page, user: { email: string; password: string }) {
    await page.getByRole('heading', { name: 'Sign in to Enclave' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.getByLabel('Email address', { exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  test('[AIC-07] the consent screen shows the client, a workspace chooser with roles and the scopes; Allow lands on the redirect URI with a code for the chosen workspace and scopes', async () => {
    const person = await harness.enclave.createUser('Casey Consent');
    const first = await harness.enclave.createWorkspace('Acme Analytics');
    const second = await harness.enclave.createWorkspace('Beta Books');
    await harness.enclave.addMember(first.id, person, 'owner');
    await harness.enclave.addMember(second.id, person, 'viewer');
    const { page, context, problems } = await openWatchedPage(harness.browser);

    const callback = await startCallback();
    const flow = await startAuthorization(page, callback, 'Test Assistant');
    // Not signed in: the consent screen sends the person to sign in, and back to itself afterwards.
    await signInHere(page, person);
    await page.getByRole('heading', { name: 'Allow an AI client' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/oauth\/interaction\/[A-Za-z0-9_-]+$/);

    await page.getByText('Test Assistant wants to use Enclave on your behalf.').waitFor();
    await page.getByText('The name “Test Assistant” is chosen by the client itself').waitFor();
    await page.getByText(flow.clientId, { exact: true }).waitFor();
    await page.getByText(person.email, { exact: true }).waitFor();
    const chooser = page.getByLabel('Workspace', { exact: true });
    expect(await chooser.locator('option').allTextContents()).toEqual(['Acme Analytics (owner)', 'Beta Books (viewer)']);
    const scopes = page.getByRole('group', { name: 'Allow it to' });
    const read = scopes.getByRole('checkbox', { name: /datasets:read/ });
    const sql = scopes.getByRole('checkbox', { name: /datasets:sql/ });
    expect(await read.isChecked()).toBe(true);
    expect(await sql.isChecked()).toBe(true);
    await saveScreenshot(page, 'dashboard-ai-client-consent');

    // At least one scope is required: with none ticked, Allow asks for one and sends nothing.
    await read.uncheck();
    await sql.uncheck();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByText('Tick at least one thing the client may do, or deny the request.').waitFor();
    expect(callback.landed()).toBeUndefined();

    await chooser.selectOption({ label: 'Beta Books (viewer)' });
    await page.getByText('Your role there: viewer.').waitFor();
    await read.check();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(callback.redirectUri));
    const landed = callback.landed();
    expect(landed?.searchParams.get('state')).toBe(flow.state);
    expect(landed?.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    // The code is good for the PKCE verifier, and carries only the scope the person kept.
    const exchanged = await exchangeCode(flow, callback);
    expect(exchanged.status).toBe(200);
    expect(((await exchanged.json()) as { scope: string }).scope).toBe('datasets:read');

    // The grant belongs to the workspace chosen on the screen, and to no other.
    const cookie = await harness.enclave.signIn(person);
    const listed = async (workspaceId: string) =>
      ((await (await harness.enclave.request('GET', `/api/w/${workspaceId}/mcp/clients`, { cookie })).json()) as { clients: { clientName: string; scopes: string[] }[] }).clients;
    expect(await listed(second.id)).toEqual([expect.objectContaining({ clientName: 'Test Assistant', scopes: ['datasets:read'] })]);
    expect(await listed(first.id)).toEqual([]);
    expect(unexpectedProblems(problems)).toEqual([]);
    await context.close();
    await callback.close();
  });

  test('[AIC-06] an AI client allowed on the consent screen is listed on the AI clients page, and revoking it there ends its refresh token', async () => {
    const person = await harness.enclave.createUser('Riley Revoke');
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    await harness.enclave.addMember(workspace.id, person, 'admin');
    const { page, context } = await openWatchedPage(harness.browser);
    const callback = await startCallback();
    const flow = await startAuthorization(page, callback, 'Revocable Assistant');
    await signInHere(page, person);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(callback.redirectUri));
    const exchanged = await exchangeCode(flow, callback);
    expect(exchanged.status).toBe(200);
    const refresh = (refreshToken: string) =>
      harness.enclave.request('POST', '/oauth/token', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: flow.clientId }).toString(),
      });
    // Refreshing works while the client is connected (and rotates the refresh token).
    const before = await refresh(((await exchanged.json()) as { refresh_token: string }).refresh_token);
    expect(before.status).toBe(200);
    const { refresh_token: refreshToken } = (await before.json()) as { refresh_token: string };

    await page.goto(`${harness.enclave.url}/ai-clients`);
    const connected = page.getByRole('region', { name: 'Connected AI clients' });
    const row = connected.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /Revocable Assistant/ }) });
    await row.getByText(person.email).waitFor();
    expect(await row.textContent()).toContain('datasets:sql');
    await saveScreenshot(page, 'dashboard-ai-clients-connected');
    await row.getByRole('button', { name: /^Revoke/ }).click();
    await page.getByRole('group', { name: 'Confirm revoking Revocable Assistant' }).getByRole('button', { name: 'Revoke access' }).click();
    await connected.getByText('No AI client you can see is connected to this workspace.').waitFor();

    const refreshed = await refresh(refreshToken);
    expect(refreshed.status).toBe(400);
    expect(((await refreshed.json()) as { error: string }).error).toBe('invalid_grant');
    await context.close();
    await callback.close();
  });

  test('[AIC-07] Deny sends the browser back to the client with access_denied and grants nothing', async () => {
    const person = await harness.enclave.createUser('Dana Deny');
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    await harness.enclave.addMember(workspace.id, person, 'builder');
    const { page, context, problems } = await openWatchedPage(harness.browser);

    const callback = await startCallback();
    const flow = await startAuthorization(page, callback, 'Unwanted Assistant');
    await signInHere(page, person);
    await page.getByText('Unwanted Assistant wants to use Enclave on your behalf.').waitFor();
    // A single workspace needs no chooser: it is named, with the person's role.
    await page.getByText('Acme Analytics (your role: builder)').waitFor();
    await expect(page.getByLabel('Workspace', { exact: true }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL((url) => url.href.startsWith(callback.redirectUri));
    expect(callback.landed()?.searchParams.get('error')).toBe('access_denied');
    expect(callback.landed()?.searchParams.get('state')).toBe(flow.state);
    expect(callback.landed()?.searchParams.has('code')).toBe(false);

    const cookie = await harness.enclave.signIn(person);
    const clients = await harness.enclave.request('GET', `/api/w/${workspace.id}/mcp/clients`, { cookie });
    expect(((await clients.json()) as { clients: unknown[] }).clients).toEqual([]);
    expect(unexpectedProblems(problems)).toEqual([]);
    await context.close();
    await callback.close();
  });

  test('[AIC-07] a consent screen whose request has expired or was answered says so instead of offering a decision', async () => {
    const person = await harness.enclave.createUser('Erin Expired');
    const { page, context } = await openWatchedPage(harness.browser);
    await page.goto(`${harness.enclave.url}/sign-in`);
    await signInHere(page, person);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    await page.goto(`${harness.enclave.url}/oauth/interaction/no-such-request`);
    await page.getByRole('alert').getByText('This request has expired').waitFor();
    await expect(page.getByRole('button', { name: 'Allow' }).count()).resolves.toBe(0);
    await context.close();
  });
});
