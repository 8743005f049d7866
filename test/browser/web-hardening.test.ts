import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import {
  connect,
  describeInBrowser,
  openKeyForm,
  openWatchedPage,
  saveScreenshot,
  setUpDashboard,
  signInWithForm,
  unexpectedConsoleErrors,
} from './browser.ts';

/** A page on another origin that tries to show the dashboard inside itself. */
async function startFramingSite(dashboardUrl: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Framing attempt</title><iframe id="enclave" src="${dashboardUrl}/"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describeInBrowser('the dashboard in a real browser: web hardening', () => {
  const harness = setUpDashboard();

  test('[WEB-01] the dashboard loads under the strict CSP with no violations', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    // With an account on the server the dashboard opens on sign-in, not on first-run setup.
    await harness.enclave.createUser();
    const { page, context, problems } = await openWatchedPage(harness.browser);
    const response = await page.goto(`${harness.enclave.url}/`);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("style-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(headers['permissions-policy']).toContain('camera=()');

    await page.getByRole('heading', { name: 'Sign in to Enclave' }).waitFor();
    await expect(page.getByText('Development mode').isVisible()).resolves.toBe(true);
    await openKeyForm(page);
    await saveScreenshot(page, 'dashboard-connect');
    await page.getByRole('link', { name: 'Sign in with your email address instead' }).click();

    // Every page renders under the same policy: walk them all, not just the first paint.
    await connect(page, workspace);
    await page.getByRole('heading', { level: 1, name: 'Acme Analytics' }).waitFor();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('table').waitFor();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText('Chain verified').waitFor();
    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    await context.close();
  });

  test('[WEB-01] every signed-in page and the sign-up page render with no CSP violations or console errors', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    const person = await harness.enclave.createUser('Grace Hopper');
    const colleague = await harness.enclave.createUser('Alan Turing');
    await harness.enclave.addMember(workspace.id, person, 'owner');
    await harness.enclave.addMember(workspace.id, colleague, 'builder');
    await harness.enclave.signIn(person, { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Gecko/20100101 Firefox/128.0' });
    const { page, context, problems } = await openWatchedPage(harness.browser);
    await page.goto(`${harness.enclave.url}/`);

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your Enclave account' }).waitFor();
    // WEB-06: the proof-of-work widget fetches, solves in its worker and renders under the same policy.
    await page.getByText('Verified').waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in to Enclave' }).waitFor();
    await page.getByLabel('Email address').fill(person.email);
    await saveScreenshot(page, 'dashboard-signin');
    await signInWithForm(page, person);

    await page.getByRole('heading', { level: 1, name: 'Acme Analytics' }).waitFor();
    await page.getByText('Last changed').waitFor();
    await saveScreenshot(page, 'dashboard-overview');
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('rowheader', { name: /Alan Turing/ }).waitFor();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('table').waitFor();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText('Chain verified').waitFor();
    await page.getByLabel('Action').selectOption('workspace.create');
    await page.getByText('Showing all 1 matching event.').waitFor();
    await page.getByRole('link', { name: /Grace Hopper/ }).click();
    await page.getByRole('cell', { name: '127.0.0.1' }).first().waitFor();
    await expect.poll(() => page.getByRole('table').locator('tbody tr').count()).toBe(2);
    await saveScreenshot(page, 'dashboard-security');
    await page.getByRole('link', { name: 'New workspace' }).click();
    await page.getByRole('heading', { level: 1, name: 'New workspace' }).waitFor();

    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    await context.close();
  });

  test('[WEB-01] another site cannot show the dashboard in a frame', async () => {
    const framing = await startFramingSite(harness.enclave.url);
    const { page, context } = await openWatchedPage(harness.browser);
    try {
      const refusal = page.waitForEvent('console', { predicate: (message) => message.text().includes('frame-ancestors') });
      await page.goto(framing.url, { waitUntil: 'load' });
      expect((await refusal).text()).toContain("frame-ancestors 'none'");
      const embedded = () => page.frames().find((candidate) => candidate !== page.mainFrame());
      // Chromium replaces a refused frame with its own error page.
      await expect.poll(() => embedded()?.url()).toMatch(/^chrome-error:/);
      await expect(embedded()!.locator('#root').count()).resolves.toBe(0);
      await expect(embedded()!.getByText('Connect to a workspace').count()).resolves.toBe(0);
    } finally {
      await context.close();
      await new Promise((resolve) => framing.server.close(resolve));
    }
  });
});
