import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type OidcAccount, type TestOidcProvider } from '../helpers/oidc-provider.ts';
import { cookiePair, startTestServer, type TestServer } from '../helpers/server.ts';
import { solvedChallenge } from '../helpers/proof-of-work.ts';
import { controlEvents } from './audit.ts';

/** A provider's error description: Enclave must not repeat it. */
const PROVIDER_WORDS = `provider-words-${randomUUID()}`;
/** Canary client secrets: they must reach the providers and nowhere else. */
const SECRET = `oidc-secret-${randomUUID()}`;
const WORKSPACE_SECRET = `oidc-secret-${randomUUID()}`;
const OTHER_SECRET = `oidc-secret-${randomUUID()}`;

function oathtool(secret: string): string {
  return execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
}

describe('OIDC sign-in', () => {
  let idp: TestOidcProvider;
  /** A second, unrelated provider: answers from it must not count at the first. */
  let otherIdp: TestOidcProvider;
  let enclave: TestServer;
  let secretsDir: string;

  function secretFile(name: string, value: string, mode = 0o600): string {
    const path = join(secretsDir, name);
    writeFileSync(path, `${value}\n`);
    chmodSync(path, mode);
    return path;
  }

  beforeAll(async () => {
    secretsDir = mkdtempSync(join(tmpdir(), 'enclave-oidc-'));
    [idp, otherIdp] = await Promise.all([startOidcProvider(), startOidcProvider()]);
    enclave = await startTestServer({
      rateLimit: { signInPerIpPerMinute: 1000 },
      oidc: {
        providers: [
          { id: 'test', label: 'Test IdP', issuer: idp.issuer, clientId: 'enclave', clientSecretFile: secretFile('test', SECRET) },
          {
            id: 'workspace',
            label: 'Example Workspace',
            issuer: idp.issuer,
            clientId: 'enclave-workspace',
            clientSecretFile: secretFile('workspace', WORKSPACE_SECRET),
            allowedDomains: ['example.com'],
          },
          {
            id: 'other',
            label: 'Other IdP',
            issuer: otherIdp.issuer,
            clientId: 'enclave',
            clientSecretFile: secretFile('other', OTHER_SECRET),
            allowSignUp: false,
          },
          // Nothing listens on port 1: discovery fails.
          { id: 'down', label: 'Down IdP', issuer: 'http://127.0.0.1:1', clientId: 'enclave', clientSecretFile: secretFile('down', SECRET) },
        ],
      },
    });
    const callback = (id: string) => [`${enclave.url}/api/auth/oidc/${id}/callback`];
    idp.configure([
      { client_id: 'enclave', client_secret: SECRET, redirect_uris: callback('test') },
      { client_id: 'enclave-workspace', client_secret: WORKSPACE_SECRET, redirect_uris: callback('workspace') },
    ]);
    otherIdp.configure([{ client_id: 'enclave', client_secret: OTHER_SECRET, redirect_uris: callback('other') }]);
  });

  afterAll(async () => {
    await enclave?.close();
    await Promise.all([idp?.close(), otherIdp?.close()]);
    rmSync(secretsDir, { recursive: true, force: true });
  });

  function person(claims: Partial<OidcAccount> = {}, at: TestOidcProvider = idp): { subject: string; email: string } {
    const subject = `sub-${randomUUID()}`;
    const email = claims.email ?? `${randomUUID()}@people.example`;
    at.accounts.set(subject, { email, email_verified: true, name: 'Olive Idp', ...claims });
    return { subject, email };
  }

  interface Started {
    /** The provider's authorization URL Enclave sent the browser to. */
    authorizationUrl: string;
    /** The browser-binding cookie Enclave set, as `name=value`. */
    binding: string;
  }

  async function start(provider = 'test'): Promise<Started> {
    const response = await fetch(`${enclave.url}/api/auth/oidc/${provider}/start`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const [line] = response.headers.getSetCookie();
    expect(line).toMatch(/^enclave_oidc_binding=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/api\/auth; HttpOnly; SameSite=Lax$/);
    return { authorizationUrl: response.headers.get('location')!, binding: cookiePair(line!) };
  }

  /** Enclave's answer to the browser arriving back from the provider. */
  async function callback(url: URL | string, binding: string | undefined): Promise<{ status: number; location: string; session: string | undefined }> {
    const target = new URL(url.toString(), enclave.url);
    const response = await fetch(`${enclave.url}${target.pathname}${target.search}`, { redirect: 'manual', headers: binding ? { cookie: binding } : {} });
    const session = response.headers.getSetCookie().find((line) => line.startsWith('enclave_session=') && !line.startsWith('enclave_session=;'));
    return { status: response.status, location: response.headers.get('location') ?? '', session: session ? cookiePair(session) : undefined };
  }

  /** The whole round trip, as a browser makes it. */
  async function signIn(subject: string, provider = 'test', at: TestOidcProvider = idp) {
    const started = await start(provider);
    expect(new URL(started.authorizationUrl).origin).toBe(at.issuer);
    const back = await at.authorize(started.authorizationUrl, subject);
    return callback(back, started.binding);
  }

  async function sessionUser(cookie: string): Promise<{ id: string; email: string; emailVerified: boolean; name: string }> {
    const response = await enclave.request('GET', '/api/auth/session', { cookie });
    expect(response.status).toBe(200);
    return ((await response.json()) as { user: { id: string; email: string; emailVerified: boolean; name: string } }).user;
  }

  it('[IDN-03] lists the configured providers by id and label only', async () => {
    const response = await enclave.request('GET', '/api/auth/providers');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      providers: [
        { id: 'test', label: 'Test IdP' },
        { id: 'workspace', label: 'Example Workspace' },
        { id: 'other', label: 'Other IdP' },
        { id: 'down', label: 'Down IdP' },
      ],
    });
    const unknown = await fetch(`${enclave.url}/api/auth/oidc/nope/start`, { redirect: 'manual' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('provider_not_found');
  });

  it('[IDN-03] sends the browser to the provider with PKCE S256, state and nonce', async () => {
    const { authorizationUrl } = await start();
    const url = new URL(authorizationUrl);
    expect(url.searchParams.get('client_id')).toBe('enclave');
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('redirect_uri')).toBe(`${enclave.url}/api/auth/oidc/test/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    // Only the state's hash is kept.
    const stored = enclave.server.platform.controlDb.prepare('SELECT state_hash FROM oidc_pending_login').all() as { state_hash: string }[];
    expect(stored.map((row) => row.state_hash)).not.toContain(url.searchParams.get('state'));
  });

  it('[IDN-03] signs a new person in and creates a verified account', async () => {
    const { subject, email } = person({ name: 'New Person' });
    const result = await signIn(subject);
    expect(result.status).toBe(302);
    expect(result.location).toBe('/');
    expect(result.session).toBeDefined();
    const user = await sessionUser(result.session!);
    expect(user).toMatchObject({ email, emailVerified: true, name: 'New Person' });
    const events = controlEvents(enclave).filter((event) => event.target_id === user.id);
    expect(events.map((event) => event.action)).toEqual(['user.create', 'user.link_account', 'user.sign_in']);
    expect(JSON.parse(events[2]!.details)).toMatchObject({ method: 'oidc', provider: `oidc:${idp.issuer}` });

    // The same subject signs in to the same account again, without a new link.
    const again = await signIn(subject);
    expect((await sessionUser(again.session!)).id).toBe(user.id);
    expect(controlEvents(enclave).filter((event) => event.target_id === user.id && event.action === 'user.link_account')).toHaveLength(1);
  });

  it('[IDN-03] links to an existing account with that verified email', async () => {
    const existing = await enclave.createUser('Existing Person');
    const { subject } = person({ email: existing.email });
    const result = await signIn(subject);
    expect(result.location).toBe('/');
    expect((await sessionUser(result.session!)).id).toBe(existing.id);
    const linked = controlEvents(enclave).filter((event) => event.action === 'user.link_account' && event.target_id === existing.id);
    expect(linked).toHaveLength(1);
    // The password still works: linking adds a way in, it takes none away.
    await enclave.signIn(existing);
  });

  it('[IDN-03] a second identity at the same provider cannot take over an account linked to the first', async () => {
    const first = person();
    expect((await signIn(first.subject)).location).toBe('/');
    // The provider gave the address to someone new: they do not inherit the account.
    const successor = person({ email: first.email });
    expect(await signIn(successor.subject)).toEqual({ status: 302, location: '/sign-in?error=federated_account_conflict', session: undefined });
    expect((await signIn(first.subject)).location).toBe('/');
  });

  it('[IDN-03] an account someone signed up for but never confirmed loses the unproven password when its owner arrives', async () => {
    // Someone who does not hold the mailbox signs up first with the owner's address (pre-account takeover).
    const email = `${randomUUID()}@people.example`;
    const password = `pw-${randomUUID()}`;
    const signedUp = await enclave.request('POST', '/api/auth/sign-up/email', { body: { email, password, name: 'Squatter', altcha: await solvedChallenge(enclave.url) }, headers: { origin: enclave.url } });
    expect(signedUp.status).toBe(202);
    const { subject } = person({ email });
    const result = await signIn(subject);
    const user = await sessionUser(result.session!);
    expect(user).toMatchObject({ email, emailVerified: true });
    const linked = controlEvents(enclave).filter((event) => event.action === 'user.link_account' && event.target_id === user.id);
    expect(JSON.parse(linked[0]!.details)).toMatchObject({ unverifiedPasswordRemoved: true });
    const withPassword = await enclave.request('POST', '/api/auth/sign-in/email', { body: { email, password }, headers: { origin: enclave.url } });
    expect(withPassword.status).toBe(401);
  });

  it('[IDN-03] an unverified email is refused', async () => {
    const existing = await enclave.createUser('Target Person');
    for (const email of [existing.email, `${randomUUID()}@people.example`]) {
      const { subject } = person({ email, email_verified: false });
      const result = await signIn(subject);
      expect(result).toEqual({ status: 302, location: '/sign-in?error=federated_email_unverified', session: undefined });
    }
    expect(enclave.server.platform.identity.user(existing.id)).toBeDefined();
    const refused = controlEvents(enclave).filter((event) => event.action === 'user.sign_in' && event.outcome === 'failure');
    expect(refused.some((event) => JSON.parse(event.details).reason === 'federated_email_unverified')).toBe(true);
  });

  it('[IDN-03] a replayed or forged state is refused', async () => {
    const { subject, email } = person();
    const started = await start();
    const back = await idp.authorize(started.authorizationUrl, subject);

    // From another browser (no binding cookie): refused, and the state is spent.
    expect(await callback(back, undefined)).toEqual({ status: 302, location: '/sign-in?error=oidc_state_invalid', session: undefined });
    expect(await callback(back, started.binding)).toEqual({ status: 302, location: '/sign-in?error=oidc_state_invalid', session: undefined });

    // A state Enclave never issued.
    const forged = new URL(back);
    forged.searchParams.set('state', 'x'.repeat(43));
    expect(await callback(forged, started.binding)).toEqual({ status: 302, location: '/sign-in?error=oidc_state_invalid', session: undefined });

    // A state issued for one provider, brought to another's callback.
    const elsewhere = await start('test');
    const state = new URL(elsewhere.authorizationUrl).searchParams.get('state')!;
    const misrouted = await callback(`/api/auth/oidc/workspace/callback?code=abc&state=${state}`, elsewhere.binding);
    expect(misrouted.location).toBe('/sign-in?error=oidc_state_invalid');

    // The provider's own refusal: a code, never its words.
    const denied = await start();
    const deniedState = new URL(denied.authorizationUrl).searchParams.get('state')!;
    const refusal = await callback(`/api/auth/oidc/test/callback?error=access_denied&error_description=${PROVIDER_WORDS}&state=${deniedState}`, denied.binding);
    expect(refusal).toEqual({ status: 302, location: '/sign-in?error=oidc_denied', session: undefined });
    expect(enclave.logs.join('\n')).not.toContain(PROVIDER_WORDS);

    // A good round trip works once; its replay is refused.
    const good = await start();
    const goodBack = await idp.authorize(good.authorizationUrl, subject);
    const first = await callback(goodBack, good.binding);
    expect(first.session).toBeDefined();
    expect(await callback(goodBack, good.binding)).toEqual({ status: 302, location: '/sign-in?error=oidc_state_invalid', session: undefined });
    expect((await sessionUser(first.session!)).email).toBe(email);
  });

  it('[IDN-03] an answer from another issuer or for another client is refused', async () => {
    // Mix-up: the other provider's answer (its code, its iss) delivered with this provider's state.
    const victim = person();
    const attacker = person({}, otherIdp);
    const started = await start('test');
    const state = new URL(started.authorizationUrl).searchParams.get('state')!;
    const theirs = await otherIdp.authorize((await start('other')).authorizationUrl, attacker.subject);
    const mixed = new URL(theirs);
    mixed.pathname = '/api/auth/oidc/test/callback';
    mixed.searchParams.set('state', state);
    expect(await callback(mixed, started.binding)).toEqual({ status: 302, location: '/sign-in?error=oidc_failed', session: undefined });

    // The same with the issuer rewritten to this provider's: the code is not this provider's to redeem.
    const again = await start('test');
    const theirsAgain = await otherIdp.authorize((await start('other')).authorizationUrl, attacker.subject);
    const rewritten = new URL(theirsAgain);
    rewritten.pathname = '/api/auth/oidc/test/callback';
    rewritten.searchParams.set('state', new URL(again.authorizationUrl).searchParams.get('state')!);
    rewritten.searchParams.set('iss', idp.issuer);
    expect(await callback(rewritten, again.binding)).toEqual({ status: 302, location: '/sign-in?error=oidc_failed', session: undefined });

    // A code issued to another client of the same provider is not redeemable by this one.
    const workspacePerson = person({ email: `${randomUUID()}@example.com`, hd: 'example.com' });
    const forWorkspace = await idp.authorize((await start('workspace')).authorizationUrl, workspacePerson.subject);
    const third = await start('test');
    const crossClient = new URL(forWorkspace);
    crossClient.pathname = '/api/auth/oidc/test/callback';
    crossClient.searchParams.set('state', new URL(third.authorizationUrl).searchParams.get('state')!);
    expect(await callback(crossClient, third.binding)).toEqual({ status: 302, location: '/sign-in?error=oidc_failed', session: undefined });

    const causes = controlEvents(enclave)
      .filter((event) => event.target_type === 'oidc_provider' && event.target_id === 'test' && JSON.parse(event.details).reason === 'oidc_failed')
      .map((event) => JSON.parse(event.details).cause);
    // Refused for the reasons above (openid-client's codes), not for anything incidental.
    expect(causes.slice(-3)).toEqual(['OAUTH_INVALID_RESPONSE', 'OAUTH_RESPONSE_BODY_ERROR', 'OAUTH_RESPONSE_BODY_ERROR']);
    expect(enclave.server.platform.identity.userByEmail(victim.email)).toBeUndefined();
    expect(enclave.server.platform.identity.userByEmail(attacker.email)).toBeUndefined();
    expect(enclave.server.platform.identity.userByEmail(workspacePerson.email)).toBeUndefined();
  });

  it('[IDN-03] an account with TOTP still owes its second factor after OIDC', async () => {
    const existing = await enclave.createUser('Careful Person');
    const cookie = await enclave.signIn(existing);
    const post = (path: string, body: unknown, session: string) => enclave.request('POST', path, { cookie: session, body, headers: { origin: enclave.url } });
    const enrolled = await post('/api/auth/mfa/totp/enroll', { password: existing.password }, cookie);
    const { secret } = (await enrolled.json()) as { secret: string };
    const confirmed = await post('/api/auth/mfa/totp/confirm', { code: oathtool(secret) }, cookie);
    expect(confirmed.status).toBe(200);
    const { backupCodes } = (await confirmed.json()) as { backupCodes: string[] };

    const { subject } = person({ email: existing.email });
    const result = await signIn(subject);
    expect(result.location).toMatch(/^\/sign-in\?step=second-factor&methods=totp%2Cbackup_code(%2Cemail_code)?$/);
    expect(result.session).toBeDefined();
    // Pending is no session at all until the second factor.
    expect((await enclave.request('GET', '/api/auth/session', { cookie: result.session! })).status).toBe(401);
    const signInEvent = controlEvents(enclave).filter((event) => event.action === 'user.sign_in' && event.target_id === existing.id).at(-1)!;
    expect(JSON.parse(signInEvent.details)).toMatchObject({ method: 'oidc', secondFactor: 'pending' });
    // The second factor completes it, as after a password.
    const verified = await post('/api/auth/mfa/verify', { backupCode: backupCodes[0] }, result.session!);
    expect(verified.status).toBe(200);
    expect((await sessionUser(cookiePair(verified.headers.getSetCookie()[0]!))).id).toBe(existing.id);
  });

  it('[IDN-03] allowedDomains refuses an outside domain', async () => {
    const outside = person({ email: `${randomUUID()}@outside.example`, hd: 'outside.example' });
    expect(await signIn(outside.subject, 'workspace')).toEqual({ status: 302, location: '/sign-in?error=oidc_domain_not_allowed', session: undefined });
    // An address in the domain, from an account the provider says belongs to another hosted domain.
    const foreignHd = person({ email: `${randomUUID()}@example.com`, hd: 'outside.example' });
    expect((await signIn(foreignHd.subject, 'workspace')).location).toBe('/sign-in?error=oidc_domain_not_allowed');
    expect(enclave.server.platform.identity.userByEmail(outside.email)).toBeUndefined();
    expect(enclave.server.platform.identity.userByEmail(foreignHd.email)).toBeUndefined();

    const inside = person({ email: `${randomUUID()}@example.com`, hd: 'example.com' });
    const result = await signIn(inside.subject, 'workspace');
    expect(result.location).toBe('/');
    expect((await sessionUser(result.session!)).email).toBe(inside.email);
    const refused = controlEvents(enclave).filter(
      (event) => event.target_type === 'oidc_provider' && event.target_id === 'workspace' && JSON.parse(event.details).reason === 'oidc_domain_not_allowed',
    );
    expect(refused.map((event) => [event.outcome, JSON.parse(event.details).cause])).toEqual([
      ['failure', 'email_domain'],
      ['failure', 'hd_mismatch'],
    ]);
  });

  it('[IDN-03] a provider that may not create accounts refuses newcomers but signs existing people in', async () => {
    const newcomer = person({}, otherIdp);
    expect(await signIn(newcomer.subject, 'other', otherIdp)).toEqual({ status: 302, location: '/sign-in?error=federated_sign_up_disabled', session: undefined });
    expect(enclave.server.platform.identity.userByEmail(newcomer.email)).toBeUndefined();
    const existing = await enclave.createUser('Known Person');
    const known = person({ email: existing.email }, otherIdp);
    const result = await signIn(known.subject, 'other', otherIdp);
    expect((await sessionUser(result.session!)).id).toBe(existing.id);
  });

  it('[IDN-03] a provider that cannot be reached sends the browser back with a code', async () => {
    const response = await fetch(`${enclave.url}/api/auth/oidc/down/start`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/sign-in?error=oidc_provider_unavailable');
    const refused = controlEvents(enclave).filter((event) => event.target_type === 'oidc_provider' && event.target_id === 'down');
    expect(refused.map((event) => [event.action, event.outcome, JSON.parse(event.details).reason])).toEqual([['user.sign_in', 'failure', 'oidc_provider_unavailable']]);
  });

  it('[IDN-03] the client secret never appears in logs, answers or the audit log', async () => {
    const { subject } = person();
    await signIn(subject);
    const events = JSON.stringify(controlEvents(enclave).map((event) => event.details));
    for (const secret of [SECRET, WORKSPACE_SECRET, OTHER_SECRET]) {
      expect(enclave.logs.join('\n')).not.toContain(secret);
      expect(events).not.toContain(secret);
    }
    // Refusals were logged, with their stable code and never the provider's words.
    expect(enclave.logs.some((line) => line.includes('oidc sign-in refused') && line.includes('oidc_failed'))).toBe(true);
  });

  it('[IDN-03] a client secret file others can read stops start-up', async () => {
    const loose = secretFile('loose', 'loose-secret', 0o644);
    await expect(
      startTestServer({ oidc: { providers: [{ id: 'loose', label: 'Loose', issuer: idp.issuer, clientId: 'x', clientSecretFile: loose }] } }),
    ).rejects.toThrow(/must be readable by its owner only/);
    await expect(
      startTestServer({ oidc: { providers: [{ id: 'plain', label: 'Plain', issuer: 'http://idp.example', clientId: 'x', clientSecretFile: loose }] } }),
    ).rejects.toThrow(/must be an https URL/);
  });
});
