import { expect, test } from 'vitest';
import { describeInBrowser, openDashboard, openWatchedPage, saveScreenshot, setUpDashboard, signInWithForm, unexpectedConsoleErrors } from './browser.ts';

describeInBrowser('the dashboard in a real browser: workspace invitations', () => {
  const harness = setUpDashboard();

  /** The invitation link in the newest development-outbox mail to that address. */
  async function mailedLink(email: string): Promise<string> {
    const outbox = harness.enclave.server.platform.devOutbox!;
    await expect.poll(() => outbox.list().some((mail) => mail.to === email)).toBe(true);
    const mail = outbox.list().filter((candidate) => candidate.to === email).at(-1)!;
    const match = /https?:\/\/\S+\/invitations\/accept\?token=[A-Za-z0-9_-]{43}/.exec(mail.text);
    if (!match) throw new Error(`no invitation link in: ${mail.text}`);
    return match[0];
  }

  test('[ACC-06] an admin invites from the Members page and revokes; the invitee follows the mailed link, signs in and lands in the workspace as a builder', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Analytics');
    const admin = await harness.enclave.createUser('Adam Admin');
    await harness.enclave.addMember(workspace.id, admin, 'admin');
    const invitee = await harness.enclave.createUser('Ivy Invitee');

    const { page, context, problems } = await openDashboard(harness);
    await signInWithForm(page, admin);
    await page.getByRole('link', { name: 'Members' }).click();
    const form = page.getByRole('form', { name: 'Invite someone' });
    await form.getByLabel('Email address').fill('someone-else@people.example');
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Invite' }).click();
    await page.getByRole('status').getByText('Invitation sent to someone-else@people.example').waitFor();
    const pendingRow = (email: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: email }) });
    await pendingRow('someone-else@people.example').waitFor();
    // Revoke, with a confirmation.
    await pendingRow('someone-else@people.example').getByRole('button', { name: /^Revoke/ }).click();
    await page.getByRole('group', { name: 'Confirm revoking the invitation for someone-else@people.example' }).getByRole('button', { name: 'Revoke invitation' }).click();
    await expect.poll(() => pendingRow('someone-else@people.example').count()).toBe(0);

    // An admin cannot invite an owner: the server's refusal is shown.
    await form.getByLabel('Email address').fill('boss@people.example');
    await form.getByLabel('Role').selectOption('owner');
    await form.getByRole('button', { name: 'Invite' }).click();
    await page.getByRole('alert').getByText('Only an owner can do this').waitFor();

    await form.getByLabel('Email address').fill(invitee.email);
    await form.getByLabel('Role').selectOption('builder');
    await form.getByRole('button', { name: 'Invite' }).click();
    await pendingRow(invitee.email).waitFor();
    await context.close();

    // The invitee, not signed in, follows the link: sign-in first, the token only in memory.
    const link = await mailedLink(invitee.email);
    const token = new URL(link).searchParams.get('token')!;
    const visitor = await openWatchedPage(harness.browser);
    await visitor.page.goto(link);
    await visitor.page.getByText('You have a workspace invitation').waitFor();
    expect(visitor.page.url()).not.toContain(token);
    const stored = await visitor.page.evaluate(() => JSON.stringify({ ...window.localStorage }) + JSON.stringify({ ...window.sessionStorage }));
    expect(stored).not.toContain(token);
    await signInWithForm(visitor.page, invitee);
    await visitor.page.getByRole('navigation', { name: 'Workspace' }).waitFor();
    await expect.poll(() => visitor.page.getByLabel('Display name').inputValue()).toBe('Acme Analytics');
    const members = harness.enclave.server.platform.members.list(workspace.id);
    expect(members.find((member) => member.userId === invitee.id)?.role).toBe('builder');
    expect(await visitor.page.evaluate(() => JSON.stringify({ ...window.localStorage }) + JSON.stringify({ ...window.sessionStorage }))).not.toContain(token);

    // Following the used link again, signed in: the generic refusal.
    await visitor.page.goto(link);
    await visitor.page.getByRole('heading', { name: 'Workspace invitation' }).waitFor();
    await visitor.page.getByText('The invitation could not be accepted').waitFor();
    expect(unexpectedConsoleErrors(visitor.problems).filter((line) => !/status of 400/.test(line))).toEqual([]);
    expect(visitor.problems.cspViolations).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
    await visitor.context.close();
  });

  test('[ACC-06] someone who never opened the mailed link finds the invitation after signing in with the invited address, and joins', async () => {
    const workspace = await harness.enclave.createWorkspace('Lost Link Labs');
    const owner = await harness.enclave.createUser('Otto Owner');
    await harness.enclave.addMember(workspace.id, owner, 'owner');
    const invitee = await harness.enclave.createUser('Nina Newcomer');
    const inviting = await harness.enclave.request('POST', `/api/w/${workspace.id}/invitations`, {
      cookie: await harness.enclave.signIn(owner),
      body: { email: invitee.email, role: 'viewer' },
    });
    expect(inviting.status).toBe(201);

    const { page, context, problems } = await openDashboard(harness);
    await signInWithForm(page, invitee);
    const invitations = page.getByRole('region', { name: 'Workspace invitations for you' });
    await invitations.getByText('Lost Link Labs invites you as viewer.').waitFor();
    await saveScreenshot(page, 'pending-invitation');
    await invitations.getByRole('button', { name: 'Join Lost Link Labs' }).click();
    await page.getByRole('navigation', { name: 'Workspace' }).waitFor();
    await expect.poll(() => invitations.count()).toBe(0);
    expect(harness.enclave.server.platform.members.list(workspace.id).find((member) => member.userId === invitee.id)?.role).toBe('viewer');
    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    await context.close();
  });
});
