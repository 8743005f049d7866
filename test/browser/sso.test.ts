import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.ts';
import { readAuthnRequest, TestSamlIdp } from '../helpers/saml-idp.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { describeInBrowser, launchBrowser, openWatchedPage, saveScreenshot, sessionCookie, signInWithForm, unexpectedConsoleErrors } from './browser.ts';
import { ensureDashboardBuilt } from './dashboard-build.ts';

describeInBrowser('the dashboard in a real browser: enterprise single sign-on (SAML)', () => {
  let browser: Browser;
  let dns: TestDnsServer;
  let enclave: TestServer;
  let idpServer: Server;
  let idp: TestSamlIdp;
  /** Whom the IdP's login page signs in next. */
  let nextEmail = '';
  const domain = 'acme-browser.test';

  beforeAll(async () => {
    browser = await launchBrowser();
    await ensureDashboardBuilt();
    dns = await startDnsServer();
    enclave = await startTestServer({ sso: { dnsServers: [dns.address], allowLoopbackIssuers: true } });
    // The IdP's sign-in page: it answers at once with the usual auto-submitting form (HTTP-POST binding) to Enclave's ACS.
    idpServer = createServer((request, response) => {
      const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
      const samlResponse = idp.respond(url.href, { email: nextEmail, name: 'Bea Browser' });
      const { acsUrl } = readAuthnRequest(url.href);
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(
        `<!doctype html><form method="post" action="${acsUrl}"><input type="hidden" name="SAMLResponse" value="${samlResponse}"></form>` +
          '<script>document.forms[0].submit()</script>',
      );
    });
    await new Promise<void>((resolve) => idpServer.listen(0, '127.0.0.1', resolve));
    const port = (idpServer.address() as AddressInfo).port;
    // At `localhost`, another site than Enclave's 127.0.0.1: the form post to the ACS is truly cross-site, as from a real IdP.
    idp = new TestSamlIdp(`http://localhost:${port}/saml`, `http://localhost:${port}/sso`);
  });

  afterAll(async () => {
    await browser?.close();
    await enclave?.close();
    await dns?.close();
    await new Promise((resolve) => idpServer?.close(resolve));
  });

  test('[IDN-06] an owner verifies a domain and connects a SAML IdP from the Members page; a person there signs in with "Continue with SSO" and joins', async () => {
    const workspace = await enclave.createWorkspace('Acme Browser');
    const owner = await enclave.createUser('Olga Owner');
    await enclave.addMember(workspace.id, owner, 'owner');

    const { page, context, problems } = await openWatchedPage(browser);
    await page.goto(`${enclave.url}/`);
    await signInWithForm(page, owner);
    await page.getByRole('link', { name: 'Members' }).click();
    const section = page.getByRole('region', { name: 'Single sign-on' });
    await section.getByLabel('Email domain').fill(domain);
    await section.getByRole('button', { name: 'Add domain' }).click();
    const card = section.getByRole('article', { name: `Domain ${domain}` });
    await card.getByText(`_enclave-challenge.${domain}`).waitFor();
    const value = await card.getByText(/^enclave-domain-verification=/).textContent();
    // Before the record exists, verifying says so.
    await card.getByRole('button', { name: 'Verify' }).click();
    await card.getByRole('alert').waitFor();
    dns.setTxt(`_enclave-challenge.${domain}`, [value!]);
    await card.getByRole('button', { name: 'Verify' }).click();
    await card.getByText(/^Verified/).waitFor();

    const connect = card.getByRole('form', { name: `Connect an identity provider for ${domain}` });
    await connect.getByLabel('IdP entity id').fill(idp.entityId);
    await connect.getByLabel('IdP sign-in URL').fill(idp.ssoUrl);
    await connect.getByLabel('IdP signing certificate (PEM)').fill(idp.key.certificate);
    await connect.getByLabel('New members join as').selectOption('builder');
    await connect.getByRole('button', { name: 'Connect' }).click();
    await card.getByText(/\/api\/auth\/sso\/saml\/sso_[0-9a-f]{32}\/acs$/).waitFor();
    expect(await card.textContent()).not.toContain('BEGIN CERTIFICATE');
    await saveScreenshot(page, 'sso-settings');
    // The one refusal the test asked for: verifying before the TXT record was published.
    expect(unexpectedConsoleErrors(problems).filter((line) => !/status of 422 .*\/verify$/.test(line))).toEqual([]);
    await context.close();

    nextEmail = `bea@${domain}`;
    const visitor = await openWatchedPage(browser);
    await visitor.page.goto(`${enclave.url}/sign-in`);
    await visitor.page.getByLabel('Work email').fill(nextEmail);
    const acsPost = visitor.page.waitForRequest((request) => request.url().endsWith('/acs') && request.method() === 'POST');
    await visitor.page.getByRole('button', { name: 'Continue with SSO' }).click();
    // The browser itself calls the IdP's form post cross-site: the origin check lets exactly this route through.
    expect(await (await acsPost).headerValue('sec-fetch-site')).toBe('cross-site');
    await visitor.page.getByRole('button', { name: 'Sign out' }).waitFor();
    await visitor.page.getByRole('navigation', { name: 'Workspace' }).waitFor();
    const cookie = await sessionCookie(visitor.context);
    const session = (await (await enclave.request('GET', '/api/auth/session', { cookie })).json()) as { user: { id: string; email: string } };
    expect(session.user.email).toBe(nextEmail);
    expect(enclave.server.platform.members.roleIn(workspace.id, { type: 'user', id: session.user.id, sessionId: 'check' })).toBe('builder');
    expect(unexpectedConsoleErrors(visitor.problems)).toEqual([]);
    await visitor.context.close();
  });

  test('[IDN-06] an address whose domain has no SSO is told so on the sign-in page, without leaving it', async () => {
    const { page, context, problems } = await openWatchedPage(browser);
    await page.goto(`${enclave.url}/sign-in`);
    await page.getByLabel('Work email').fill('someone@unconnected.test');
    await page.getByRole('button', { name: 'Continue with SSO' }).click();
    await page.getByRole('status').getByText('Single sign-on is not set up for that address').waitFor();
    expect(page.url()).toBe(`${enclave.url}/sign-in`);
    expect(unexpectedConsoleErrors(problems).filter((line) => !line.includes('404'))).toEqual([]);
    await context.close();
  });
});
