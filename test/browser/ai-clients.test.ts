import { expect, test } from 'vitest';
import { MCP_SCOPES } from '../../src/mcp/scopes.ts';
import { describeInBrowser, openDashboard, openWatchedPage, saveScreenshot, sessionCookie, setUpDashboard, signInWithForm, unexpectedConsoleErrors } from './browser.ts';

describeInBrowser('the dashboard in a real browser: AI clients', () => {
  const harness = setUpDashboard();

  test('[AIC-05] a personal MCP token is shown once at creation; after a reload only its hint is left, and it can be revoked', async () => {
    const person = await harness.enclave.createUser('Morgan Maker');
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    await harness.enclave.addMember(workspace.id, person, 'builder');
    const { page, context, problems } = await openDashboard(harness);
    await signInWithForm(page, person);
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'AI clients' }).click();
    await page.getByRole('heading', { name: 'AI clients', level: 1 }).waitFor();
    await page.getByText('You have no personal MCP tokens in this workspace.').waitFor();

    await page.getByLabel('Name').fill('Laptop assistant');
    const scopes = page.getByRole('group', { name: 'Allowed to' });
    // Read-only by default; SQL only when ticked.
    expect(await scopes.getByRole('checkbox', { name: /datasets:read/ }).isChecked()).toBe(true);
    expect(await scopes.getByRole('checkbox', { name: /datasets:sql/ }).isChecked()).toBe(false);
    await scopes.getByRole('checkbox', { name: /datasets:sql/ }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const notice = page.getByRole('region', { name: /Copy the new MCP token/ });
    await notice.getByText('You will not see this token again').waitFor();
    const token = await notice.getByLabel('New MCP token').inputValue();
    expect(token).toMatch(/^enm_[A-Za-z0-9_-]{43}$/);
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Laptop assistant' }) });
    await row.getByText('Active').waitFor();
    expect(await row.textContent()).toContain('datasets:sql');
    await saveScreenshot(page, 'dashboard-ai-clients-token');

    // The listing the page reloads from never carries the secret (AIC-05), only its hint.
    const cookie = await sessionCookie(context);
    const listing = await (await harness.enclave.request('GET', `/api/w/${workspace.id}/mcp/tokens`, { cookie })).text();
    expect(listing).not.toContain(token);
    const hint = (JSON.parse(listing) as { mcpTokens: { hint: string }[] }).mcpTokens[0]?.hint ?? '';
    expect(hint.length).toBeGreaterThan(0);
    expect(token.startsWith(hint.replace(/…$/, ''))).toBe(true);

    await page.reload();
    await row.waitFor();
    await row.getByText(hint, { exact: true }).waitFor();
    await expect(page.getByRole('region', { name: /Copy the new MCP token/ }).count()).resolves.toBe(0);
    expect(await page.content()).not.toContain(token);

    // The MCP endpoint takes the token until it is revoked, and refuses it from then on.
    const initialize = () =>
      harness.enclave.request('POST', '/mcp', {
        token,
        headers: { accept: 'application/json, text/event-stream' },
        body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } },
      });
    expect((await initialize()).status).toBe(200);

    await row.getByRole('button', { name: /^Revoke/ }).click();
    await page.getByRole('group', { name: 'Confirm revoking Laptop assistant' }).getByRole('button', { name: 'Revoke token' }).click();
    await row.getByText('Revoked').waitFor();
    const afterRevoke = (await (await harness.enclave.request('GET', `/api/w/${workspace.id}/mcp/tokens`, { cookie })).json()) as {
      mcpTokens: { revokedAt: string | null }[];
    };
    expect(afterRevoke.mcpTokens[0]?.revokedAt).not.toBeNull();
    expect((await initialize()).status).toBe(401);
    expect([...problems.cspViolations, ...unexpectedConsoleErrors(problems)]).toEqual([]);
    await context.close();
  });

  test('[AIC-07] the token form offers exactly the server’s MCP scope catalogue, each scope with its description', async () => {
    const person = await harness.enclave.createUser('Sam Scopes');
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    await harness.enclave.addMember(workspace.id, person, 'viewer');
    const { page, context } = await openDashboard(harness);
    await signInWithForm(page, person);
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'AI clients' }).click();

    const offered = page.getByRole('group', { name: 'Allowed to' }).getByRole('checkbox');
    await offered.first().waitFor();
    const names = await offered.evaluateAll((boxes) => boxes.map((box) => (box as HTMLInputElement).value));
    expect(names).toEqual(Object.keys(MCP_SCOPES));
    for (const [name, scope] of Object.entries(MCP_SCOPES)) {
      await expect(page.getByRole('checkbox', { name: new RegExp(`^${name}`) }).getAttribute('aria-describedby')).resolves.toBeTruthy();
      await page.getByText(scope.description, { exact: true }).first().waitFor();
    }
    await context.close();
  });

  test('[AIC-01] the page gives copy-paste connection instructions with this server’s MCP endpoint for common clients', async () => {
    const person = await harness.enclave.createUser('Ines Instructions');
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    await harness.enclave.addMember(workspace.id, person, 'viewer');
    const { page, context, problems } = await openDashboard(harness);
    await signInWithForm(page, person);
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'AI clients' }).click();

    const endpoint = `${harness.enclave.url}/mcp`;
    await expect(page.getByLabel('MCP endpoint URL', { exact: true }).textContent()).resolves.toBe(endpoint);
    await expect(page.getByLabel('Claude Code command', { exact: true }).textContent()).resolves.toBe(`claude mcp add --transport http enclave ${endpoint}`);
    const cursor = JSON.parse((await page.getByLabel('Cursor configuration', { exact: true }).textContent()) ?? '') as unknown;
    expect(cursor).toEqual({ mcpServers: { enclave: { url: endpoint } } });
    const withToken = JSON.parse((await page.getByLabel('Cursor configuration with a personal token', { exact: true }).textContent()) ?? '') as unknown;
    expect(withToken).toEqual({ mcpServers: { enclave: { url: endpoint, headers: { Authorization: 'Bearer ${env:ENCLAVE_MCP_TOKEN}' } } } });
    for (const heading of ['Claude Desktop and claude.ai', 'ChatGPT', 'MCP Inspector']) await page.getByRole('heading', { name: heading }).waitFor();
    await saveScreenshot(page, 'dashboard-ai-clients');
    expect([...problems.cspViolations, ...unexpectedConsoleErrors(problems)]).toEqual([]);
    await context.close();
  });

  test('[AIC-07] signing in from a link that names another site as the next page stays on this dashboard', async () => {
    const person = await harness.enclave.createUser('Rory Redirect');
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    await harness.enclave.addMember(workspace.id, person, 'viewer');
    for (const next of ['//evil.example/steal', '/\\evil.example/steal', 'https://evil.example/steal', '/\t/evil.example/steal']) {
      const { page, context } = await openWatchedPage(harness.browser);
      await page.goto(`${harness.enclave.url}/sign-in?${new URLSearchParams({ next }).toString()}`);
      await signInWithForm(page, person);
      expect(new URL(page.url()).origin).toBe(harness.enclave.url);
      await context.close();
    }
  });
});
