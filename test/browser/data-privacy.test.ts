import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import type { TestUser } from '../helpers/server.ts';
import { describeInBrowser, openDashboard, saveScreenshot, sessionCookie, setUpDashboard, signInWithForm, unexpectedConsoleErrors } from './browser.ts';

/** Clicks the button and returns the bytes the browser saved from the <a download> link. */
async function downloadBy(page: Page, button: string): Promise<{ bytes: Buffer; filename: string }> {
  const saved = page.waitForEvent('download');
  await page.getByRole('button', { name: button }).click();
  const download = await saved;
  return { bytes: readFileSync(await download.path()), filename: download.suggestedFilename() };
}

/** A POSIX tar's first header carries the "ustar" magic at offset 257. */
function isTar(bytes: Buffer): boolean {
  return bytes.length >= 512 && bytes.subarray(257, 262).toString('latin1') === 'ustar';
}

describeInBrowser('the dashboard in a real browser: data & privacy', () => {
  const harness = setUpDashboard();

  async function personWithWorkspace(name: string, workspaceName: string): Promise<{ person: TestUser; workspaceId: string }> {
    const person = await harness.enclave.createUser(name);
    const cookie = await harness.enclave.signIn(person);
    const created = await harness.enclave.request('POST', '/api/workspaces', { cookie, body: { name: workspaceName } });
    expect(created.status).toBe(201);
    await harness.enclave.request('POST', '/api/auth/sign-out', { cookie });
    return { person, workspaceId: ((await created.json()) as { id: string }).id };
  }

  test('[DAT-01] an owner exports the workspace and their own data as tar downloads with progress shown; the fourth export in an hour shows the Retry-After message', async () => {
    const { person, workspaceId } = await personWithWorkspace('Ona Owner', 'Exported Co');
    const { page, problems } = await openDashboard(harness);
    await signInWithForm(page, person);

    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Data & privacy' }).click();
    await page.getByRole('heading', { level: 1, name: 'Data & privacy' }).waitFor();
    const workspaceArchive = await downloadBy(page, 'Export this workspace');
    expect(isTar(workspaceArchive.bytes)).toBe(true);
    expect(workspaceArchive.filename).toMatch(/\.tar$/);
    const status = page.getByRole('region', { name: 'Export this workspace' }).getByRole('status');
    await expect.poll(() => status.textContent()).toMatch(/^Done: [\d.]+ (bytes|KB|MB) received\./);
    await saveScreenshot(page, 'dashboard-data-privacy');

    await page.getByRole('link', { name: 'Your data' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();
    const personalArchive = await downloadBy(page, 'Export your data');
    expect(isTar(personalArchive.bytes)).toBe(true);
    await page.getByRole('region', { name: 'Export your data' }).getByText(/^Done: .* received\./).waitFor();

    // The third export of the hour, from outside the page; the fourth is refused with when to retry.
    const cookie = await sessionCookie(page.context());
    expect((await harness.enclave.request('GET', `/api/w/${workspaceId}/export`, { cookie })).status).toBe(200);
    await page.getByRole('button', { name: 'Export your data' }).click();
    const refusal = page.getByRole('region', { name: 'Export your data' }).getByRole('alert');
    await refusal.getByText('Too many requests').waitFor();
    expect(await refusal.textContent()).toMatch(/Try again in \d+ seconds\./);

    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems).filter((line) => !line.includes('status of 429'))).toEqual([]);
  });

  test('[DAT-02] an owner deletes a workspace from its Data & privacy page with its name and their password; it leaves the switcher and is listed as restorable', async () => {
    const { person, workspaceId } = await personWithWorkspace('Del Owner', 'Doomed Co');
    const { page, problems } = await openDashboard(harness);
    await signInWithForm(page, person);
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Data & privacy' }).click();
    const section = page.getByRole('region', { name: 'Delete this workspace' });
    await section.getByRole('button', { name: 'Delete workspace…' }).click();
    await section.getByLabel(/Type the workspace name/).fill('Doomed');
    await section.getByLabel('Current password').fill(person.password);
    await section.getByRole('button', { name: 'Delete workspace' }).click();
    await section.getByText('The confirmation does not match').waitFor();
    expect((await harness.enclave.request('GET', `/api/w/${workspaceId}/export`, { cookie: await sessionCookie(page.context()) })).status).toBe(200);

    await section.getByLabel(/Type the workspace name/).fill('Doomed Co');
    await section.getByLabel('Current password').fill(person.password);
    await section.getByRole('button', { name: 'Delete workspace' }).click();
    // With no workspace left, the dashboard offers to create one.
    await page.getByRole('heading', { level: 1, name: 'Create your first workspace' }).waitFor();
    const listed = await harness.enclave.request('GET', '/api/workspaces/deleted', { cookie: await sessionCookie(page.context()) });
    expect(((await listed.json()) as { workspaces: { id: string }[] }).workspaces.map((workspace) => workspace.id)).toEqual([workspaceId]);

    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems).filter((line) => !line.includes('status of 400'))).toEqual([]);
  });

  test('[DAT-03] closing the account from the dashboard signs the person out, and they cannot sign in again', async () => {
    const { person, workspaceId } = await personWithWorkspace('Cal Closer', 'Closing Co');
    const { page, problems } = await openDashboard(harness);
    await signInWithForm(page, person);
    const cookie = await sessionCookie(page.context());

    await page.getByRole('link', { name: 'Your data' }).click();
    const section = page.getByRole('region', { name: 'Close your account' });
    await section.getByRole('button', { name: 'Close account…' }).click();
    await section.getByLabel(/Type your email address/).fill(person.email);
    await section.getByLabel('Current password').fill('not the password');
    await section.getByRole('button', { name: 'Close my account' }).click();
    await section.getByText('Password not accepted').waitFor();
    await section.getByLabel('Current password').fill(person.password);
    await section.getByRole('button', { name: 'Close my account' }).click();

    // Back at the sign-in form, told why.
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.getByRole('alert').getByText('Your account is closed').waitFor();
    expect((await harness.enclave.request('GET', '/api/auth/session', { cookie })).status).toBe(401);
    const deleted = harness.enclave.server.platform.controlDb.prepare('SELECT deleted_at FROM workspace WHERE id = ?').get(workspaceId) as { deleted_at: string | null };
    expect(deleted.deleted_at).not.toBeNull();

    await page.getByLabel('Email address', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Email address or password not recognised').waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);

    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems).filter((line) => !/status of (401|403)/.test(line))).toEqual([]);
  });
});
