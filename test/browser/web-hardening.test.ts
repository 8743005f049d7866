import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { connect, describeInBrowser, openWatchedPage, saveScreenshot, setUpDashboard } from './browser.ts';

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

    await page.getByRole('heading', { name: 'Connect to a workspace' }).waitFor();
    await expect(page.getByText('Development mode').isVisible()).resolves.toBe(true);
    await saveScreenshot(page, 'dashboard-connect');

    // Every page renders under the same policy: walk them all, not just the first paint.
    await connect(page, workspace);
    await page.getByRole('heading', { level: 1, name: 'Acme Analytics' }).waitFor();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('table').waitFor();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText('Chain verified').waitFor();
    expect(problems.cspViolations).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
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
