import { expect, test } from 'vitest';
import { describeInBrowser, openDashboard, saveScreenshot, setUpDashboard } from './browser.ts';

describeInBrowser('the dashboard in a real browser: API keys', () => {
  const harness = setUpDashboard();

  test('[ACC-06] a new API key is shown once, never again after leaving the page, and stops working the moment it is revoked', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    const { page, context } = await openDashboard(harness, workspace);
    await page.getByRole('link', { name: 'API keys' }).click();

    await page.getByLabel('Name').fill('Nightly export');
    await page.getByLabel('Role').selectOption('builder');
    await page.getByRole('button', { name: 'Create key' }).click();
    const notice = page.getByRole('region', { name: /Copy the new key/ });
    await notice.getByText('You will not see this key again').waitFor();
    const token = await notice.getByLabel('New API key').inputValue();
    expect(token).toMatch(/^enk_[A-Za-z0-9_-]{43}$/);
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Nightly export' }) });
    expect(await row.textContent()).toContain('builder');
    expect(await row.textContent()).toContain('Active');
    await saveScreenshot(page, 'dashboard-api-keys');
    const used = await harness.enclave.request('GET', `/api/w/${workspace.id}`, { token });
    expect(used.status).toBe(200);

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'API keys' }).click();
    await row.waitFor();
    await expect(page.getByRole('region', { name: /Copy the new key/ }).count()).resolves.toBe(0);
    expect(await page.content()).not.toContain(token);

    await row.getByRole('button', { name: /^Revoke/ }).click();
    await page.getByRole('group', { name: 'Confirm revoking Nightly export' }).getByRole('button', { name: 'Revoke key' }).click();
    await row.getByText('Revoked').waitFor();
    const afterRevoke = await harness.enclave.request('GET', `/api/w/${workspace.id}`, { token });
    expect(afterRevoke.status).toBe(401);
    expect(((await afterRevoke.json()) as { error: { code: string } }).error.code).toBe('invalid_token');
    await context.close();
  });

  test('[WEB-02] a key without a name is refused by the API and the validation message appears beside the field', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    const { page, context } = await openDashboard(harness, workspace);
    await page.getByRole('link', { name: 'API keys' }).click();

    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('alert').getByText('Some values were not accepted').waitFor();
    await expect(page.locator('#new-key-name-messages').textContent()).resolves.not.toBe('');
    await expect(page.getByLabel('Name').getAttribute('aria-invalid')).resolves.toBe('true');
    const keys = await harness.enclave.request('GET', `/api/w/${workspace.id}/api-keys`, { token: workspace.token });
    expect(((await keys.json()) as { apiKeys: unknown[] }).apiKeys).toHaveLength(1);
    await context.close();
  });
});
