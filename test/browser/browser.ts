import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { ensureDashboardBuilt } from './dashboard-build.ts';

/** Debian's Chromium; `npx playwright install` cannot download browsers here. */
export const CHROMIUM = '/usr/bin/chromium';

const required = process.env.ENCLAVE_BROWSER_TESTS === 'required';

/**
 * Browser suites skip only on a machine without Chromium; CI sets ENCLAVE_BROWSER_TESTS=required,
 * and then a missing Chromium fails the suite instead of hiding it.
 */
export const describeInBrowser = existsSync(CHROMIUM) || required ? describe : describe.skip;

const docsScreenshotDir = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const runScreenshotDir = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`ENCLAVE_BROWSER_TESTS=required but ${CHROMIUM} is missing; install Debian's chromium`);
  // launch() gives every browser a fresh temporary profile of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** What went wrong in a page that a person would not necessarily see. */
export interface PageProblems {
  cspViolations: string[];
  consoleErrors: string[];
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  problems: PageProblems;
}

/**
 * A page in its own context (no shared state between tests) that records CSP violations
 * and console errors. The violation listener is an init script, which the browser injects
 * over CDP rather than as an inline script, so the page's CSP does not apply to it.
 */
export async function openWatchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const problems: PageProblems = { cspViolations: [], consoleErrors: [] };
  await context.exposeFunction('reportCspViolation', (violation: string) => problems.cspViolations.push(violation));
  await context.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (event) => {
        const report = (window as unknown as { reportCspViolation(violation: string): void }).reportCspViolation;
        report(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sample})`);
      },
      true,
    );
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    // The location says which request a "Failed to load resource" line is about.
    if (message.type() === 'error') problems.consoleErrors.push(`${message.text()} at ${message.location().url}`);
  });
  page.on('pageerror', (error) => problems.consoleErrors.push(`uncaught: ${error.message}`));
  return { page, context, problems };
}

/**
 * Full-page PNGs of every run go to test-results/screenshots; docs/screenshots is refreshed
 * only with ENCLAVE_UPDATE_SCREENSHOTS=1 (or when a picture is missing), so an ordinary
 * test run does not rewrite tracked files.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(runScreenshotDir, { recursive: true });
  const path = `${runScreenshotDir}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  const docsPath = `${docsScreenshotDir}${name}.png`;
  if (process.env.ENCLAVE_UPDATE_SCREENSHOTS === '1' || !existsSync(docsPath)) {
    mkdirSync(docsScreenshotDir, { recursive: true });
    copyFileSync(path, docsPath);
  }
}

/** Follows the sign-in page's link to the API-key form, the way automation users reach it. */
export async function openKeyForm(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Connect with an API key instead' }).click();
  await page.getByRole('heading', { name: 'Connect to a workspace' }).waitFor();
}

/** Types the workspace id and key into the connect form and waits for the workspace to open. */
export async function connect(page: Page, workspace: { id: string; token: string }): Promise<void> {
  await openKeyForm(page);
  await page.getByLabel('Workspace id', { exact: true }).fill(workspace.id);
  await page.getByLabel('API key', { exact: true }).fill(workspace.token);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('navigation', { name: 'Workspace' }).waitFor();
}

/**
 * Console errors other than the signed-out answer to the dashboard's "who is signed in?" probe:
 * `GET /api/auth/session` answers a visitor without a session with 401, which Chromium logs as a
 * failed resource load even though the dashboard expects it and shows the sign-in form.
 */
export function unexpectedConsoleErrors(problems: PageProblems): string[] {
  return problems.consoleErrors.filter((line) => !/status of 401 .* at https?:\/\/[^/]+\/api\/auth\/session$/.test(line));
}

/** Signs in through the form and waits for the signed-in header. */
export async function signInWithForm(page: Page, user: Pick<TestUser, 'email' | 'password'>): Promise<void> {
  await page.getByLabel('Email address', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** The browser's session cookie as `name=value`, for replaying it from the test. */
export async function sessionCookie(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((candidate) => candidate.name.endsWith('enclave_session'));
  if (!cookie) throw new Error('the browser holds no session cookie');
  return `${cookie.name}=${cookie.value}`;
}

/** One browser and one real Enclave per test file, shared by its tests; each test gets its own browser context. */
export interface DashboardHarness {
  browser: Browser;
  enclave: TestServer;
}

/** Registers the file's beforeAll/afterAll; the fields are filled in once beforeAll has run. */
export function setUpDashboard(): DashboardHarness {
  const harness = {} as DashboardHarness;
  beforeAll(async () => {
    harness.browser = await launchBrowser();
    await ensureDashboardBuilt();
    harness.enclave = await startTestServer();
  });
  afterAll(async () => {
    await harness.browser?.close();
    await harness.enclave?.close();
  });
  return harness;
}

/** A fresh watched page on the dashboard, connected to `workspace` when one is given. */
export async function openDashboard(harness: DashboardHarness, workspace?: { id: string; token: string }): Promise<WatchedPage> {
  const watched = await openWatchedPage(harness.browser);
  await watched.page.goto(`${harness.enclave.url}/`);
  if (workspace) await connect(watched.page, workspace);
  return watched;
}
