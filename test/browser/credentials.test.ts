import { expect, test } from 'vitest';
import { describeInBrowser, openDashboard, saveScreenshot, setUpDashboard, unexpectedConsoleErrors } from './browser.ts';

const CANARY = 'sk-browser-canary-5d2f7a9c3e1b4f6a8c0d2e4f6a8b0c1d';

describeInBrowser('the dashboard in a real browser: credentials', () => {
  const harness = setUpDashboard();

  test('[VLT-03] a credential added in the dashboard is never shown again: the page keeps only its name, scope and a short hint; disabling and deleting take effect', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    const { page, context, problems } = await openDashboard(harness, workspace);
    await page.getByRole('link', { name: 'Credentials' }).click();
    await page.getByText('No credentials yet.').waitFor();

    const form = page.getByRole('form', { name: 'Add a credential' });
    await form.getByLabel('Service').selectOption({ label: 'OpenAI' });
    await form.getByLabel('Name', { exact: true }).fill('OpenAI production');
    await form.getByLabel('Token').fill(CANARY);
    await form.getByLabel('Workflows allowed to use it').fill('Nightly report/summarise, Weekly digest');
    await form.getByRole('button', { name: 'Add credential' }).click();

    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'OpenAI production' }) });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(`…${CANARY.slice(-4)}`);
    await expect(row.textContent()).resolves.toContain('Nightly report / summarise, Weekly digest');
    await expect(form.getByLabel('Token').inputValue()).resolves.toBe('');
    expect(await page.content()).not.toContain(CANARY.slice(0, 20));
    await saveScreenshot(page, 'credentials');

    await row.getByRole('button', { name: 'Disable OpenAI production' }).click();
    await row.getByText('Disabled').waitFor();
    expect(harness.enclave.server.platform.vault.list(workspace.id)[0]!.disabled).toBe(true);

    await row.getByRole('button', { name: 'Delete OpenAI production' }).click();
    await page.getByRole('group', { name: 'Confirm deleting OpenAI production' }).getByRole('button', { name: 'Delete credential' }).click();
    await page.getByText('No credentials yet.').waitFor();
    expect(harness.enclave.server.platform.vault.list(workspace.id)).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    await context.close();
  });

  test('[WEB-02] a header credential without its header name is refused by the API and the message appears beside the field', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    const { page, context } = await openDashboard(harness, workspace);
    await page.getByRole('link', { name: 'Credentials' }).click();
    const form = page.getByRole('form', { name: 'Add a credential' });
    await form.getByLabel('Service').selectOption({ label: 'Other service: API key in a header' });
    await form.getByLabel('Name', { exact: true }).fill('Internal API');
    await form.getByLabel('Header value').fill('some-value');
    await form.getByRole('button', { name: 'Add credential' }).click();
    await expect(form.getByLabel('Header name').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(harness.enclave.server.platform.vault.list(workspace.id)).toEqual([]);
    await context.close();
  });
});
