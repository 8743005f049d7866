import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { describeInBrowser, openDashboard, saveScreenshot, setUpDashboard, unexpectedConsoleErrors } from './browser.ts';

describeInBrowser('the dashboard in a real browser: first run', () => {
  const harness = setUpDashboard();

  test('[IDN-01] on a server without accounts, the dashboard opens on setup; with the token from the data directory the owner account and first workspace are created', async () => {
    const { page, context, problems } = await openDashboard(harness);
    await page.getByRole('heading', { level: 1, name: 'Set up Enclave' }).waitFor();
    await saveScreenshot(page, 'first-run-setup');

    await page.getByLabel('Setup token').fill('a guess');
    await page.getByLabel('Your name').fill('Olga Owner');
    await page.getByLabel('Email address').fill('olga@first-run.example');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByLabel('First workspace').fill('Olga Industries');
    await page.getByRole('button', { name: 'Create owner account' }).click();
    await page.getByText("that is not the setup token from this server's data directory").waitFor();

    await page.getByLabel('Setup token').fill(readFileSync(harness.enclave.server.setupTokenPath!, 'utf8').trim());
    await page.getByRole('button', { name: 'Create owner account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Olga Industries' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(harness.enclave.server.platform.setup.needed()).toBe(false);
    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems).filter((line) => !/status of 403/.test(line))).toEqual([]);
    await context.close();
  });
});
