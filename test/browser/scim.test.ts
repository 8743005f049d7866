import { expect, test } from 'vitest';
import { describeInBrowser, openWatchedPage, saveScreenshot, setUpDashboard, unexpectedConsoleErrors } from './browser.ts';

describeInBrowser('the dashboard in a real browser: SCIM provisioning tokens', () => {
  const harness = setUpDashboard();

  test('[IDN-06] an owner creates a SCIM token on the Members page, sees it once, and revoking it stops provisioning at once', async () => {
    const { enclave, browser } = harness;
    const workspace = await enclave.createWorkspace('Acme Directory');
    const owner = await enclave.createUser('Olga Owner');
    await enclave.addMember(workspace.id, owner, 'owner');

    const { page, context, problems } = await openWatchedPage(browser);
    // Signed in through the API (the sign-in form has its own tests); the browser carries the session cookie.
    const pair = await enclave.signIn(owner);
    const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
    await context.addCookies([{ name, value, url: enclave.url, httpOnly: true, sameSite: 'Lax' }]);
    await page.goto(`${enclave.url}/`);
    await page.getByRole('link', { name: 'Members' }).click();
    const section = page.getByRole('region', { name: 'User provisioning (SCIM)' });
    await expect(section.textContent()).resolves.toContain(`${enclave.url}/scim/v2`);
    await section.getByLabel('Token name').fill('Okta');
    await section.getByRole('button', { name: 'Create SCIM token' }).click();
    const notice = section.getByRole('region', { name: /Copy the SCIM token/ });
    const token = await notice.getByLabel('New SCIM token').inputValue();
    expect(token).toMatch(/^ens_[A-Za-z0-9_-]{43}$/);
    await saveScreenshot(page, 'dashboard-scim-token');

    const provisioned = await enclave.request('POST', '/scim/v2/Users', {
      token,
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'directory.person@people.example' },
      headers: { 'content-type': 'application/scim+json' },
    });
    expect(provisioned.status).toBe(201);

    await notice.getByRole('button', { name: 'I have stored the token' }).click();
    expect(await page.content()).not.toContain(token);
    const row = section.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Okta' }) });
    await row.getByRole('button', { name: /^Revoke/ }).click();
    await row.getByRole('button', { name: /^Stop provisioning/ }).click();
    await row.getByText('Revoked').waitFor();
    expect((await enclave.request('GET', '/scim/v2/Users', { token })).status).toBe(401);
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
    await context.close();
  });
});
