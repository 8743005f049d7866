import { expect, test } from 'vitest';
import { describeInBrowser, openDashboard, saveScreenshot, sessionCookie, setUpDashboard, signInWithForm } from './browser.ts';

describeInBrowser('the dashboard in a real browser: people, sessions and members', () => {
  const harness = setUpDashboard();

  test('[IDN-01] sign-up checks the password rules in place and ends at "check your email"; a new person creates their first workspace', async () => {
    // Whether this account must confirm its address first is the server's policy; an operator-made
    // account is verified either way, so the rest of the first run does not depend on it. With an
    // account on the server, the dashboard opens on sign-in rather than on first-run setup.
    const person = await harness.enclave.createUser('Grace Hopper');
    const { page, context } = await openDashboard(harness);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Email address').fill('ada@people.example');
    await page.getByLabel('Password').fill('too short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Use at least 12 characters.').waitFor();
    await expect(page.getByLabel('Password').getAttribute('aria-invalid')).resolves.toBe('true');

    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain('ada@people.example');

    await page.getByRole('link', { name: 'Continue to sign in' }).click();
    await page.getByLabel('Password').fill('not the password');
    await page.getByLabel('Email address').fill(person.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Email address or password not recognised').waitFor();

    await signInWithForm(page, person);
    await page.getByRole('heading', { level: 1, name: 'Create your first workspace' }).waitFor();
    await expect(page.getByRole('link', { name: /Grace Hopper/ }).count()).resolves.toBe(1);
    await page.getByLabel('Workspace name').fill('Hopper Labs');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByRole('heading', { level: 1, name: 'Hopper Labs' }).waitFor();
    await expect(page.getByRole('combobox', { name: 'Workspace' }).inputValue()).resolves.toMatch(/^ws_/);
    await context.close();
  });

  test('[SES-03] signing out in the dashboard ends the session: the old cookie gets 401', async () => {
    const person = await harness.enclave.createUser('Grace Hopper');
    const { page, context } = await openDashboard(harness);
    await signInWithForm(page, person);
    const cookie = await sessionCookie(context);
    await expect(harness.enclave.request('GET', '/api/auth/session', { cookie }).then((r) => r.status)).resolves.toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Enclave' }).waitFor();
    const replay = await harness.enclave.request('GET', '/api/auth/session', { cookie });
    expect(replay.status).toBe(401);
    await context.close();
  });

  test('[SES-04] ending another session from the Security page makes that session fail', async () => {
    const person = await harness.enclave.createUser('Grace Hopper');
    const { page, context } = await openDashboard(harness);
    await signInWithForm(page, person);
    const other = await harness.enclave.signIn(person, {
      'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1',
    });
    await expect(harness.enclave.request('GET', '/api/auth/session', { cookie: other }).then((r) => r.status)).resolves.toBe(200);

    await page.getByRole('link', { name: /Grace Hopper/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Security' }).waitFor();
    const rows = page.getByRole('table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const current = rows.filter({ hasText: 'this browser' });
    await expect(current.count()).resolves.toBe(1);
    const phone = rows.filter({ hasText: 'Safari on iOS' });
    await phone.getByRole('button', { name: /End session/ }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await expect(rows.first().textContent()).resolves.toContain('this browser');

    const replay = await harness.enclave.request('GET', '/api/auth/session', { cookie: other });
    expect(replay.status).toBe(401);
    const own = await harness.enclave.request('GET', '/api/auth/session', { cookie: await sessionCookie(context) });
    expect(own.status).toBe(200);
    await context.close();
  });

  test("[ACC-06] an admin changes a member's role and removes a member from the Members page; the member's next request fails", async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    const owner = await harness.enclave.createUser('Olive Owner');
    const admin = await harness.enclave.createUser('Adam Admin');
    const member = await harness.enclave.createUser('Bea Builder');
    await harness.enclave.addMember(workspace.id, owner, 'owner');
    await harness.enclave.addMember(workspace.id, admin, 'admin');
    await harness.enclave.addMember(workspace.id, member, 'builder');
    const memberCookie = await harness.enclave.signIn(member);
    const memberRead = () => harness.enclave.request('GET', `/api/w/${workspace.id}/members`, { cookie: memberCookie });
    await expect(memberRead().then((r) => r.status)).resolves.toBe(200);

    const { page, context } = await openDashboard(harness);
    await signInWithForm(page, admin);
    await page.getByRole('link', { name: 'Members' }).click();
    const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(name) }) });
    await row('Bea Builder').waitFor();

    // An admin may not touch an owner: the refusal appears under that owner's row.
    await row('Olive Owner').getByLabel('Role of Olive Owner').selectOption('viewer');
    await row('Olive Owner').getByRole('button', { name: /^Change role/ }).click();
    await page.getByRole('alert').getByText('Only an owner can do this').waitFor();

    await row('Bea Builder').getByLabel('Role of Bea Builder').selectOption('viewer');
    await row('Bea Builder').getByRole('button', { name: /^Change role/ }).click();
    await expect.poll(() => row('Bea Builder').getByRole('button', { name: /^Change role/ }).isDisabled()).toBe(true);
    const members = (await (await memberRead()).json()) as { members: { userId: string; role: string }[] };
    expect(members.members.find((candidate) => candidate.userId === member.id)?.role).toBe('viewer');
    await saveScreenshot(page, 'dashboard-members');

    await row('Bea Builder').getByRole('button', { name: /^Remove/ }).click();
    await page.getByRole('group', { name: 'Confirm removing Bea Builder' }).getByRole('button', { name: 'Remove member' }).click();
    await expect.poll(() => row('Bea Builder').count()).toBe(0);
    // A removed member is told the workspace does not exist, exactly as for any workspace not theirs.
    await expect(memberRead().then((r) => r.status)).resolves.toBe(404);
    await context.close();
  });
});
