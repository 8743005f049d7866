import { expect, test } from 'vitest';
import { describeInBrowser, openDashboard, saveScreenshot, setUpDashboard, unexpectedConsoleErrors } from './browser.ts';

describeInBrowser('the dashboard in a real browser: alerts', () => {
  const harness = setUpDashboard();

  test('[LOG-06] a probe of the workspace shows on its Alerts page, naming the key that probed, and can be acknowledged', async () => {
    const target = await harness.enclave.createWorkspace('Acme Analytics');
    const prober = await harness.enclave.createWorkspace('Curious Corp');
    const { page, context, problems } = await openDashboard(harness, target);
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByText('No alerts.').waitFor();

    // The default threshold: twenty refused requests within ten minutes.
    for (let attempt = 0; attempt < 20; attempt++) {
      expect((await harness.enclave.request('GET', `/api/w/${target.id}/members`, { token: prober.token })).status).toBe(404);
    }
    // The key lives only in this page's memory, so the page is left and opened again rather than reloaded.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Alerts' }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Probing of this workspace' }) });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/api_key key_[0-9a-f]{32} from 127\.0\.0\.1/);
    await expect(row.textContent()).resolves.toContain('20 refused requests within 10 minutes');
    await saveScreenshot(page, 'alerts');
    await row.getByRole('button', { name: 'Acknowledge Probing of this workspace' }).click();
    await row.getByText('Acknowledged').waitFor();
    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    await context.close();
  });
});
