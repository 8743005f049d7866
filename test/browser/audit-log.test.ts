import { expect, test } from 'vitest';
import { describeInBrowser, openDashboard, saveScreenshot, setUpDashboard } from './browser.ts';

const operator = { actor: { type: 'operator' as const, id: 'test-setup' } };

describeInBrowser('the dashboard in a real browser: audit log', () => {
  const harness = setUpDashboard();

  test('[LOG-02] an owner connects with an API key, edits the profile and sees the change in the verified audit log', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    const { page, context } = await openDashboard(harness, workspace);

    await page.getByRole('heading', { level: 1, name: 'Acme Analytics' }).waitFor();
    await page.getByLabel('Description').fill('Quarterly sales figures, synced nightly from the CRM.');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved at').waitFor();
    await saveScreenshot(page, 'dashboard-overview');
    const stored = await harness.enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: workspace.token });
    expect(((await stored.json()) as { description: string }).description).toBe('Quarterly sales figures, synced nightly from the CRM.');

    // Events: workspace.create, api_key.create (the harness's key), workspace.profile.update.
    // A signed checkpoint over the new event, so the banner vouches for it by signature, not only by hash links.
    harness.enclave.server.platform.databases.checkpointAll();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(`${harness.enclave.url}/audit-log`);
    const banner = page.getByRole('status').filter({ hasText: 'Chain verified' });
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/Chain verified: 3 events, 1 checkpoint/);
    const update = page.getByRole('row').filter({ hasText: 'workspace.profile.update' });
    await expect(update.count()).resolves.toBe(1);
    expect(await update.textContent()).toContain('api_key');
    expect(await update.textContent()).toContain('success');
    await saveScreenshot(page, 'dashboard-audit-log');
    await context.close();
  });

  test('[LOG-02] an edited audit event turns the banner into an integrity alert naming the first bad event', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    const workspaces = harness.enclave.server.platform.workspaces;
    await workspaces.updateProfile(workspace.id, { description: 'first' }, operator);
    await workspaces.updateProfile(workspace.id, { description: 'second' }, operator);
    // Someone holding the database key can drop the append-only trigger; only the hash chain still notices.
    harness.enclave.server.platform.databases.open(workspace.id).db.exec(`
      DROP TRIGGER audit_events_no_update;
      UPDATE audit_events SET actor_id = 'someone-else' WHERE seq = 2;
    `);

    const { page, context } = await openDashboard(harness, workspace);
    await page.getByRole('link', { name: 'Audit log' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Chain integrity problem' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('at event #2');
    await expect(page.getByText('Chain verified').count()).resolves.toBe(0);
    await saveScreenshot(page, 'dashboard-audit-log-tampered');
    await context.close();
  });

  test('[LOG-01] a long audit log is read page by page with "Load more"', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    for (let change = 1; change <= 120; change++) {
      await harness.enclave.server.platform.workspaces.updateProfile(workspace.id, { description: `revision ${change}` }, operator);
    }
    const { page, context } = await openDashboard(harness, workspace);
    await page.getByRole('link', { name: 'Audit log' }).click();

    const events = page.getByRole('table').locator('tbody tr');
    await page.getByText('Showing the first 100 events; newer ones follow.').waitFor();
    await expect(events.count()).resolves.toBe(100);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('Showing all 122 events.').waitFor();
    await expect(events.count()).resolves.toBe(122);
    await expect(events.last().getAttribute('data-seq')).resolves.toBe('122');
    await expect(page.getByRole('button', { name: 'Load more' }).count()).resolves.toBe(0);
    await context.close();
  });

  test('[LOG-01] the filters ask the server, so they find events that were never loaded', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    for (let change = 1; change <= 110; change++) {
      await harness.enclave.server.platform.workspaces.updateProfile(workspace.id, { description: `revision ${change}` }, operator);
    }
    await harness.enclave.addKey(workspace.id, 'viewer');
    const { page, context } = await openDashboard(harness, workspace);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText('Showing the first 100 events; newer ones follow.').waitFor();

    // The key creations come after the first page of 100 events, and only the server has them.
    await page.getByLabel('Action').selectOption('api_key.create');
    await page.getByText('Showing all 2 matching events.').waitFor();
    const events = page.getByRole('table').locator('tbody tr');
    await expect(events.count()).resolves.toBe(2);
    await page.getByLabel('From').fill('2000-01-01T00:00');
    await page.getByLabel('Until').fill('2000-01-02T00:00');
    await page.getByText('No event matches these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText('Showing the first 100 events; newer ones follow.').waitFor();
    await saveScreenshot(page, 'audit-log-filters');
    await context.close();
  });
});
