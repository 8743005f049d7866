import { expect, test } from 'vitest';
import { describeInBrowser, openDashboard, saveScreenshot, setUpDashboard, signInWithForm, unexpectedConsoleErrors } from './browser.ts';

describeInBrowser('the dashboard in a real browser: proof of work, sign-in links and password reset', () => {
  const harness = setUpDashboard();
  const spentSolutions = () =>
    (harness.enclave.server.platform.controlDb.prepare('SELECT count(*) AS n FROM proof_of_work_spent').get() as { n: number }).n;

  test('[WEB-06] signing up in the dashboard: the ALTCHA widget solves the server’s challenge in a worker, under the strict CSP', async () => {
    // With an account on the server, the dashboard opens on sign-in rather than on first-run setup.
    await harness.enclave.createUser('Grace Hopper');
    const { page, context, problems } = await openDashboard(harness);
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    const challenges = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/auth/challenge');
    await page.getByRole('link', { name: 'Create an account' }).click();
    expect((await challenges).status()).toBe(200);
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Email address').fill('ada.pow@people.example');
    await page.getByLabel('Password').fill('correct horse battery staple');
    const spentBefore = spentSolutions();
    // The button is enabled once the widget has solved the challenge; nobody ticks a box.
    await page.getByText('Verified').waitFor();
    await saveScreenshot(page, 'dashboard-sign-up-proof-of-work');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();

    expect(harness.enclave.server.platform.identity.userByEmail('ada.pow@people.example')).toMatchObject({ name: 'Ada Lovelace' });
    expect(spentSolutions()).toBe(spentBefore + 1);
    // The work ran in the SHA worker, a same-origin file: no blob: or data: worker, which the CSP would refuse.
    expect(workers.length).toBeGreaterThan(0);
    for (const url of workers) expect(url).toMatch(new RegExp(`^${harness.enclave.url}/assets/sha-[\\w-]+\\.js$`));
    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    await context.close();
  });

  test('[WEB-06] asking for a sign-in link in the dashboard: the widget solves the challenge, and the mailed link signs in', async () => {
    const person = await harness.enclave.createUser('Katherine Johnson');
    const { page, context, problems } = await openDashboard(harness);
    await page.getByRole('link', { name: 'Email me a sign-in link' }).click();
    await page.getByRole('heading', { name: 'Sign in with a link' }).waitFor();
    await page.getByLabel('Email address').fill(person.email);
    await page.getByText('Verified').waitFor();
    const spentBefore = spentSolutions();
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(spentSolutions()).toBe(spentBefore + 1);

    const outbox = harness.enclave.server.platform.devOutbox!;
    await expect.poll(() => outbox.list().find((mail) => mail.to === person.email)).toBeDefined();
    const mail = outbox.list().find((candidate) => candidate.to === person.email)!;
    const link = /http:\/\/\S+\/api\/auth\/magic-link\/verify\?token=[A-Za-z0-9_-]+/.exec(mail.text)![0];
    await page.goto(link);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    await context.close();
  });

  test('[IDN-01] “Forgot password?” mails a link that opens the page to set a new password; the old password stops working', async () => {
    const person = await harness.enclave.createUser('Rosalind Franklin');
    const { page, context, problems } = await openDashboard(harness);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email address').fill(person.email);
    await page.getByText('Verified').waitFor();
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();

    // Development without SMTP keeps the mail in the outbox.
    const outbox = harness.enclave.server.platform.devOutbox!;
    await expect.poll(() => outbox.list().find((mail) => mail.to === person.email)).toBeDefined();
    const mail = outbox.list().find((candidate) => candidate.to === person.email)!;
    const link = new RegExp(`${harness.enclave.url}/reset-password#token=[A-Za-z0-9_-]{43}`).exec(mail.text)![0];
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    // The token leaves the address bar at once, and with it the history.
    expect(page.url()).toBe(`${harness.enclave.url}/reset-password`);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('Use at least 12 characters.').waitFor();
    await page.getByLabel('New password', { exact: true }).fill('a freshly chosen passphrase');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();

    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email address', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Email address or password not recognised').waitFor();
    await signInWithForm(page, { email: person.email, password: 'a freshly chosen passphrase' });
    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems).filter((line) => !/status of 401 .*\/api\/auth\/sign-in\/email$/.test(line))).toEqual([]);
    await context.close();
  });
});
