import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import type { TestServer, TestUser } from '../helpers/server.ts';
import { describeInBrowser, openDashboard, saveScreenshot, setUpDashboard, unexpectedConsoleErrors, type PageProblems } from './browser.ts';

/** Debian's oathtool: an independent TOTP implementation; `aheadSeconds` asks for a later step's code. */
function oathtool(secret: string, aheadSeconds = 0): string {
  const at = `@${Math.floor(Date.now() / 1000) + aheadSeconds}`;
  return execFileSync('oathtool', ['--totp', '-b', '-N', at, secret], { encoding: 'utf8' }).trim();
}

/** Console errors other than the answers these tests provoke on purpose (the 403 that sends a member to enrolment). */
function unexpected(problems: PageProblems, allowed: RegExp[] = []): string[] {
  return unexpectedConsoleErrors(problems).filter((line) => !allowed.some((pattern) => pattern.test(line)));
}

/** Enrols through the Security page's two-factor section, from the password prompt on; returns the secret and the codes shown. */
async function enrolOnSecurityPage(page: Page, user: TestUser, screenshot?: string): Promise<{ secret: string; backupCodes: string[] }> {
  const section = page.getByRole('region', { name: 'Two-factor authentication' });
  await section.getByLabel('Current password').fill(user.password);
  await section.getByRole('button', { name: 'Continue' }).click();
  const qr = section.getByRole('img', { name: 'QR code for your authenticator app' });
  await qr.waitFor();
  // A real QR code: the finder patterns alone are over a hundred dark modules.
  expect(await qr.locator('rect').count()).toBeGreaterThan(100);
  const secret = (await section.getByLabel('Setup key').textContent())!.replace(/\s+/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  if (screenshot) await saveScreenshot(page, screenshot);

  await section.getByLabel('Code from the app').fill(oathtool(secret));
  await section.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const list = section.getByRole('list', { name: 'Backup codes' });
  await list.waitFor();
  const backupCodes = (await list.getByRole('listitem').allTextContents()).map((code) => code.trim());
  expect(backupCodes).toHaveLength(10);
  for (const code of backupCodes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
  return { secret, backupCodes };
}

async function signInWithPassword(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel('Email address', { exact: true }).fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Enter your verification code' }).waitFor();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in to Enclave' }).waitFor();
}

/** An account with an authenticator, set up through the API: the secret and the backup codes. */
async function enrolledByApi(enclave: TestServer, user: TestUser): Promise<{ cookie: string; secret: string; backupCodes: string[] }> {
  const cookie = await enclave.signIn(user);
  const started = await enclave.request('POST', '/api/auth/mfa/totp/enroll', { cookie, body: { password: user.password } });
  const { secret } = (await started.json()) as { secret: string };
  const confirmed = await enclave.request('POST', '/api/auth/mfa/totp/confirm', { cookie, body: { code: oathtool(secret) } });
  const { backupCodes } = (await confirmed.json()) as { backupCodes: string[] };
  return { cookie, secret, backupCodes };
}

describeInBrowser('the dashboard in a real browser: two-factor authentication', () => {
  const harness = setUpDashboard();

  test('[IDN-04] a person enrols TOTP on the Security page with a code computed in the test, signs out and signs in again with a TOTP code', async () => {
    const person = await harness.enclave.createUser('Tess Totp');
    const { page, context, problems } = await openDashboard(harness);
    await page.getByLabel('Email address', { exact: true }).fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: /Tess Totp/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Security' }).waitFor();

    const section = page.getByRole('region', { name: 'Two-factor authentication' });
    await section.getByText('off', { exact: true }).waitFor();
    await section.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const { secret, backupCodes } = await enrolOnSecurityPage(page, person, 'security-mfa-enrol');
    await saveScreenshot(page, 'security-mfa-backup-codes');
    await section.getByRole('button', { name: 'I have saved them' }).click();
    await section.getByText('10 unused backup codes left.').waitFor();
    await section.getByText('on', { exact: true }).waitFor();

    // Shown once: the page never gets them again, and the server holds only their hashes.
    await page.reload();
    await section.getByText('10 unused backup codes left.').waitFor();
    const pageText = (await page.textContent('body'))!;
    for (const code of backupCodes) expect(pageText).not.toContain(code);

    await signOut(page);
    await signInWithPassword(page, person);
    await page.getByLabel('Verification code', { exact: true }).fill(oathtool(secret, 30));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const cookie = (await context.cookies()).find((candidate) => candidate.name.endsWith('enclave_session'))!;
    const status = await harness.enclave.request('GET', '/api/auth/mfa', { cookie: `${cookie.name}=${cookie.value}` });
    expect(await status.json()).toEqual({ totp: true, backupCodesRemaining: 10 });

    expect(problems.cspViolations).toEqual([]);
    expect(unexpected(problems)).toEqual([]);
    await context.close();
  });

  test('[IDN-04] the second-factor step takes a backup code, or a code it has mailed on request', async () => {
    const person = await harness.enclave.createUser('Bo Backup');
    const { backupCodes } = await enrolledByApi(harness.enclave, person);
    const { page, context, problems } = await openDashboard(harness);

    await signInWithPassword(page, person);
    await page.getByRole('button', { name: 'Use a backup code' }).click();
    await page.getByLabel('Backup code').fill(backupCodes[0]!.toUpperCase());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await signOut(page);

    await signInWithPassword(page, person);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByText('A code is on its way to your email address.').waitFor();
    await saveScreenshot(page, 'sign-in-second-factor-email-code');
    // Development without SMTP keeps mails in the outbox; a real SMTP server stands in for it in test/identity/mfa-email-code.test.ts.
    const outbox = (await (await harness.enclave.request('GET', '/api/dev/outbox')).json()) as { mails: { to: string; subject: string; text: string }[] };
    const mail = outbox.mails.find((candidate) => candidate.to === person.email && candidate.subject === 'Your Enclave sign-in code');
    const code = /\b(\d{6})\b/.exec(mail!.text)![1]!;
    await page.getByLabel('Code from the email').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    const cookie = (await context.cookies()).find((candidate) => candidate.name.endsWith('enclave_session'))!;
    const status = await harness.enclave.request('GET', '/api/auth/mfa', { cookie: `${cookie.name}=${cookie.value}` });
    expect(await status.json()).toEqual({ totp: true, backupCodesRemaining: 9 });
    expect(problems.cspViolations).toEqual([]);
    expect(unexpected(problems)).toEqual([]);
    await context.close();
  });

  test('[IDN-05] a member of a workspace that requires MFA is sent to enrolment before anything else', async () => {
    const { enclave } = harness;
    const owner = await enclave.createUser('Olga Owner');
    const { cookie: ownerCookie } = await enrolledByApi(enclave, owner);
    const created = await enclave.request('POST', '/api/workspaces', { cookie: ownerCookie, body: { name: 'Strict Co' } });
    const workspaceId = ((await created.json()) as { id: string }).id;
    const policy = await enclave.request('PATCH', `/api/w/${workspaceId}/security`, { cookie: ownerCookie, body: { requireMfa: true } });
    expect(policy.status).toBe(200);
    const member = await enclave.createUser('Max Member');
    await enclave.addMember(workspaceId, member, 'builder');

    const { page, context, problems } = await openDashboard(harness);
    await page.getByLabel('Email address', { exact: true }).fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const stop = page.getByRole('alert').filter({ hasText: 'requires two-factor authentication' });
    await stop.waitFor();
    expect(await stop.textContent()).toContain('“Strict Co” requires two-factor authentication');
    await page.getByRole('heading', { level: 1, name: 'Security' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/security');
    // Enrolment has already begun: the password prompt is waiting, and no workspace page is on screen.
    const section = page.getByRole('region', { name: 'Two-factor authentication' });
    await section.getByLabel('Current password').waitFor();
    await expect(page.getByRole('heading', { level: 1, name: 'Strict Co' }).count()).resolves.toBe(0);
    await saveScreenshot(page, 'security-mfa-required');

    // Picking a workspace page does not get past it either.
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Security' }).waitFor();
    await expect(page.getByRole('heading', { level: 1, name: 'Strict Co' }).count()).resolves.toBe(0);

    await enrolOnSecurityPage(page, member);
    await page.getByRole('status').filter({ hasText: 'You can open “Strict Co” now' }).waitFor();
    await saveScreenshot(page, 'security-mfa-required-enrolled');
    await page.getByRole('button', { name: 'Continue to Strict Co' }).click();
    await page.getByRole('heading', { level: 1, name: 'Strict Co' }).waitFor();
    const memberCookie = (await context.cookies()).find((candidate) => candidate.name.endsWith('enclave_session'))!;
    const profile = await enclave.request('GET', `/api/w/${workspaceId}/profile`, { cookie: `${memberCookie.name}=${memberCookie.value}` });
    expect(profile.status).toBe(200);

    expect(problems.cspViolations).toEqual([]);
    expect(unexpected(problems, [/status of 403 .*\/api\/w\/ws_[0-9a-f]+/])).toEqual([]);
    await context.close();
  });
});
