import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { describeInBrowser, launchBrowser, openWatchedPage, saveScreenshot, sessionCookie, unexpectedConsoleErrors } from './browser.ts';
import { ensureDashboardBuilt } from './dashboard-build.ts';

describeInBrowser('the dashboard in a real browser: sign-in with an OpenID provider', () => {
  let browser: Browser;
  let idp: TestOidcProvider;
  let enclave: TestServer;
  let secretsDir: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    await ensureDashboardBuilt();
    idp = await startOidcProvider();
    secretsDir = mkdtempSync(join(tmpdir(), 'enclave-oidc-browser-'));
    const secret = `oidc-secret-${randomUUID()}`;
    const secretFile = join(secretsDir, 'client-secret');
    writeFileSync(secretFile, secret);
    chmodSync(secretFile, 0o600);
    enclave = await startTestServer({
      oidc: { providers: [{ id: 'test', label: 'Test IdP', issuer: idp.issuer, clientId: 'enclave', clientSecretFile: secretFile }] },
    });
    idp.configure([{ client_id: 'enclave', client_secret: secret, redirect_uris: [`${enclave.url}/api/auth/oidc/test/callback`] }]);
    // With no account at all the dashboard opens on first-run setup instead of sign-in.
    await enclave.createUser('First Person');
  });

  afterAll(async () => {
    await browser?.close();
    await enclave?.close();
    await idp?.close();
    rmSync(secretsDir, { recursive: true, force: true });
  });

  function person(verified: boolean): { subject: string; email: string } {
    const subject = `sub-${randomUUID()}`;
    const email = `${randomUUID()}@people.example`;
    idp.accounts.set(subject, { email, email_verified: verified, name: 'Olive Idp' });
    return { subject, email };
  }

  test('[IDN-03] "Continue with <provider>" goes through the provider and lands signed in', async () => {
    const { subject, email } = person(true);
    idp.signInNextAs(subject);
    const { page, context, problems } = await openWatchedPage(browser);
    await page.goto(`${enclave.url}/`);
    await page.getByRole('link', { name: 'Continue with Test IdP' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    const session = await enclave.request('GET', '/api/auth/session', { cookie: await sessionCookie(context) });
    expect(((await session.json()) as { user: { email: string } }).user.email).toBe(email);
    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    await context.close();
  });

  test('[IDN-03] a refused provider sign-in says why on the sign-in page', async () => {
    const { subject } = person(false);
    idp.signInNextAs(subject);
    const { page, context, problems } = await openWatchedPage(browser);
    await page.goto(`${enclave.url}/sign-in`);
    await page.getByRole('link', { name: 'Continue with Test IdP' }).click();
    await page.getByRole('alert').getByText('Your email address is not verified at the provider').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('federated_email_unverified');
    await saveScreenshot(page, 'sign-in-provider-refused');
    // The code is read once: the address bar no longer carries it, so a reload does not repeat it.
    expect(new URL(page.url()).search).toBe('');
    expect((await context.cookies()).some((cookie) => cookie.name === 'enclave_session')).toBe(false);
    expect(problems.cspViolations).toEqual([]);
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    await context.close();
  });

  test('[IDN-03] an account with an authenticator app continues at the second step after the provider', async () => {
    const existing = await enclave.createUser('Careful Person');
    const cookie = await enclave.signIn(existing);
    const post = (path: string, body: unknown) => enclave.request('POST', path, { cookie, body, headers: { origin: enclave.url } });
    const { secret } = (await (await post('/api/auth/mfa/totp/enroll', { password: existing.password })).json()) as { secret: string };
    const totp = (aheadSeconds: number) =>
      execFileSync('oathtool', ['--totp', '-b', '-N', `@${Math.floor(Date.now() / 1000) + aheadSeconds}`, secret], { encoding: 'utf8' }).trim();
    expect((await post('/api/auth/mfa/totp/confirm', { code: totp(0) })).status).toBe(200);
    const subject = `sub-${randomUUID()}`;
    idp.accounts.set(subject, { email: existing.email, email_verified: true });
    idp.signInNextAs(subject);

    const { page, context, problems } = await openWatchedPage(browser);
    await page.goto(`${enclave.url}/sign-in`);
    await page.getByRole('link', { name: 'Continue with Test IdP' }).click();
    await page.getByRole('heading', { name: 'Enter your verification code' }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    // The confirming code's step is spent; the next step's code is still inside the accepted window.
    await page.getByRole('textbox', { name: 'Verification code' }).fill(totp(30));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(problems.cspViolations).toEqual([]);
    await context.close();
  });
});
