import { expect, test } from 'vitest';
import { describeInBrowser, openDashboard, saveScreenshot, setUpDashboard, unexpectedConsoleErrors } from './browser.ts';

describeInBrowser('the dashboard in a real browser: development outbox', () => {
  const harness = setUpDashboard();

  test('[IDN-02] in development without SMTP, the dashboard shows the kept mails, labelled as development-only, and their sign-in link works', async () => {
    const person = await harness.enclave.createUser('Olive Outbox');
    await harness.enclave.server.platform.magicLinks.request(
      person.email,
      { actor: { type: 'anonymous', id: 'anonymous' } },
      { origin: harness.enclave.url, log: () => undefined },
    );
    const outbox = harness.enclave.server.platform.devOutbox!;
    await expect.poll(() => outbox.list().some((mail) => mail.to === person.email)).toBe(true);

    const { page, context, problems } = await openDashboard(harness);
    await page.getByRole('link', { name: 'Development outbox' }).click();
    await page.getByRole('heading', { level: 1, name: 'Development outbox' }).waitFor();
    await page.getByRole('note').getByText('Development mode only').waitFor();
    const mail = page.getByRole('article', { name: 'Your Enclave sign-in link' });
    await mail.getByText(`To ${person.email}`).waitFor();
    await saveScreenshot(page, 'dev-outbox');

    await mail.getByRole('link', { name: /magic-link\/verify/ }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
    await context.close();
  });
});
