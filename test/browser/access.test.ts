import { expect, test } from 'vitest';
import { describeInBrowser, openDashboard, openKeyForm, saveScreenshot, setUpDashboard } from './browser.ts';

describeInBrowser('the dashboard in a real browser: who may do what', () => {
  const harness = setUpDashboard();

  test('[ACC-01] a viewer key sees the profile but is told it cannot edit it or read the audit log', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics', 'viewer');
    const { page, context } = await openDashboard(harness, workspace);

    await expect(page.getByLabel('Display name').inputValue()).resolves.toBe('Acme Analytics');
    await page.getByLabel('Description').fill('A viewer should not be able to write this.');
    await page.getByRole('button', { name: 'Save profile' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Your role does not allow this');
    expect(await refusal.textContent()).toContain('cannot edit the profile');
    await saveScreenshot(page, 'dashboard-viewer-refused');

    await page.getByRole('link', { name: 'Audit log' }).click();
    const auditRefusal = page.getByRole('alert');
    await auditRefusal.getByText('cannot read the audit log').waitFor();
    expect(await auditRefusal.textContent()).toContain('Your role does not allow this');
    await expect(page.getByRole('table').count()).resolves.toBe(0);

    const stored = await harness.enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: workspace.token });
    expect(((await stored.json()) as { description: string }).description).not.toContain('viewer');
    await context.close();
  });

  test('[ACC-03] a key for one workspace cannot open another: the connect form says it was not found', async () => {
    const own = await harness.enclave.createWorkspace('Acme Analytics');
    const other = await harness.enclave.createWorkspace('Globex');
    const { page, context } = await openDashboard(harness);
    await openKeyForm(page);
    await page.getByLabel('Workspace id', { exact: true }).fill(other.id);
    await page.getByLabel('API key', { exact: true }).fill(own.token);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('alert').getByText('Workspace not found').waitFor();
    await expect(page.getByText('Globex').count()).resolves.toBe(0);
    await context.close();
  });

  test('[ACC-06] revoking the key the dashboard uses disconnects it at the next request', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    const { page, context } = await openDashboard(harness, workspace);
    await page.getByRole('link', { name: 'API keys' }).click();

    const ownRow = page.getByRole('row').filter({ hasText: 'this dashboard' });
    await ownRow.getByRole('button', { name: /^Revoke/ }).click();
    const confirmation = page.getByRole('group', { name: 'Confirm revoking owner key' });
    await expect(confirmation.textContent()).resolves.toContain('will be disconnected');
    await confirmation.getByRole('button', { name: 'Revoke key' }).click();

    await page.getByRole('heading', { name: 'Connect to a workspace' }).waitFor();
    const notice = await page.getByRole('alert').textContent();
    expect(notice).toContain('You were disconnected');
    expect(notice).toContain('invalid_token');
    const replay = await harness.enclave.request('GET', `/api/w/${workspace.id}`, { token: workspace.token });
    expect(replay.status).toBe(401);
    await context.close();
  });
});
