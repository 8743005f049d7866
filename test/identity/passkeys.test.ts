import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiePair, startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { controlEvents } from './audit.ts';
import { FLAG_UP, SoftwareAuthenticator, type AssertionOptions, type CeremonySite } from './software-authenticator.ts';

/** A port nobody listens on, so the server's public URL can name it before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Debian's oathtool: an independent TOTP implementation. */
function oathtool(secret: string): string {
  return execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
}

describe('passkeys', () => {
  let enclave: TestServer;
  /** WebAuthn RP IDs are domains, so the server is reached as localhost (still bound to 127.0.0.1). */
  let site: CeremonySite;

  beforeAll(async () => {
    const port = await freePort();
    enclave = await startTestServer({ port, publicUrl: `http://localhost:${port}`, rateLimit: { signInPerIpPerMinute: 1000 } });
    site = { origin: `http://localhost:${port}`, rpId: 'localhost' };
  });
  afterAll(() => enclave.close());

  const post = (path: string, cookie: string | undefined, body?: unknown) => enclave.request('POST', path, { cookie, body, headers: { origin: enclave.url } });
  const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;
  const sessionCookie = (response: Response) => cookiePair(response.headers.getSetCookie()[0]!);

  /** Adds a passkey through the API: password, options, the authenticator's answer. */
  async function addPasskey(user: TestUser, cookie: string, authenticator: SoftwareAuthenticator, name?: string): Promise<{ id: string; name: string }> {
    const started = await post('/api/auth/passkeys/registration/options', cookie, { password: user.password });
    expect(started.status).toBe(200);
    const { options } = (await started.json()) as { options: { challenge: string; user: { id: string } } };
    const verified = await post('/api/auth/passkeys/registration/verify', cookie, { ...(name ? { name } : {}), response: authenticator.register(options, site) });
    expect(verified.status).toBe(201);
    return ((await verified.json()) as { passkey: { id: string; name: string } }).passkey;
  }

  async function startSignIn(): Promise<{ ceremonyId: string; options: { challenge: string } }> {
    const response = await post('/api/auth/passkeys/authentication/options', undefined, {});
    expect(response.status).toBe(200);
    return (await response.json()) as { ceremonyId: string; options: { challenge: string } };
  }

  /** A whole passkey sign-in: a fresh ceremony answered by the authenticator at `at`. */
  async function signInWithPasskey(authenticator: SoftwareAuthenticator, at: CeremonySite = site, assertion: AssertionOptions = {}): Promise<Response> {
    const { ceremonyId, options } = await startSignIn();
    return post('/api/auth/passkeys/authentication/verify', undefined, { ceremonyId, response: authenticator.assert(options, at, assertion) });
  }

  async function enrolTotp(user: TestUser, cookie: string): Promise<void> {
    const started = await post('/api/auth/mfa/totp/enroll', cookie, { password: user.password });
    const { secret } = (await started.json()) as { secret: string };
    expect((await post('/api/auth/mfa/totp/confirm', cookie, { code: oathtool(secret) })).status).toBe(200);
  }

  const failedSignIns = (reason: string) =>
    controlEvents(enclave).filter((event) => event.action === 'user.sign_in' && event.outcome === 'failure' && JSON.parse(event.details).reason === reason);

  it('[IDN-07] a software authenticator registers a passkey over HTTP and signs in with it, fully, even with TOTP enrolled', async () => {
    const user = await enclave.createUser('Petra Passkey');
    const cookie = await enclave.signIn(user);
    const otherSession = await enclave.signIn(user);

    const started = await post('/api/auth/passkeys/registration/options', cookie, { password: user.password });
    expect(started.status).toBe(200);
    const { options } = (await started.json()) as {
      options: { challenge: string; rp: { id: string }; user: { id: string; name: string }; authenticatorSelection: Record<string, string>; attestation: string };
    };
    expect(options.rp.id).toBe('localhost');
    expect(options.user.name).toBe(user.email);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(options.attestation).toBe('none');
    const authenticator = new SoftwareAuthenticator();
    const verified = await post('/api/auth/passkeys/registration/verify', cookie, { name: 'Work laptop', response: authenticator.register(options, site) });
    expect(verified.status).toBe(201);
    const { passkey } = (await verified.json()) as { passkey: { id: string; name: string; lastUsedAt: string | null } };
    expect(passkey).toMatchObject({ name: 'Work laptop', lastUsedAt: null, transports: ['internal'] });

    // Adding a factor ends the person's other sessions, as MFA changes do.
    await enclave.request('GET', '/api/auth/session', { cookie: otherSession }).then((response) => expect(response.status).toBe(401));
    const listed = await enclave.request('GET', '/api/auth/passkeys', { cookie });
    expect(((await listed.json()) as { passkeys: { id: string }[] }).passkeys.map((entry) => entry.id)).toEqual([passkey.id]);

    await enrolTotp(user, cookie);
    // With TOTP enrolled, the password alone leaves this account waiting for its second factor…
    const password = await post('/api/auth/sign-in/email', undefined, { email: user.email, password: user.password });
    expect(await password.json()).toMatchObject({ mfaRequired: true });

    // …a passkey with user verification does not: the session is whole at once.
    const { ceremonyId, options: request } = await startSignIn();
    expect(request).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
    expect((request as { allowCredentials?: unknown[] }).allowCredentials ?? []).toEqual([]);
    const signedIn = await post('/api/auth/passkeys/authentication/verify', undefined, { ceremonyId, response: authenticator.assert(request, site) });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toMatchObject({ user: { id: user.id, email: user.email } });
    const line = signedIn.headers.getSetCookie()[0]!;
    expect(line).toMatch(/^enclave_session=[^;]+; Max-Age=1800; Path=\/; HttpOnly; SameSite=Lax$/);
    const session = await enclave.request('GET', '/api/auth/session', { cookie: cookiePair(line) });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ user: { id: user.id } });

    const events = controlEvents(enclave);
    const registered = events.find((event) => event.action === 'user.passkey.register' && event.outcome === 'success' && event.actor_id === user.id)!;
    expect(JSON.parse(registered.details)).toMatchObject({ passkeyId: passkey.id, otherSessionsEnded: 1 });
    const signIn = events.findLast((event) => event.action === 'user.sign_in' && event.target_id === user.id)!;
    expect(signIn.outcome).toBe('success');
    expect(JSON.parse(signIn.details)).toMatchObject({ method: 'passkey', passkeyId: passkey.id, userVerified: true });
    expect(JSON.parse(signIn.details).secondFactor).toBeUndefined();
    const after = await enclave.request('GET', '/api/auth/passkeys', { cookie });
    expect(((await after.json()) as { passkeys: { lastUsedAt: string | null }[] }).passkeys[0]!.lastUsedAt).not.toBeNull();
    // The password went through every one of these requests; no log line holds it.
    expect(enclave.logs.join('\n')).not.toContain(user.password);
  });

  it('[IDN-07] an assertion made for another origin or another RP ID is refused', async () => {
    const user = await enclave.createUser();
    const authenticator = new SoftwareAuthenticator();
    await addPasskey(user, await enclave.signIn(user), authenticator);

    const phishingOrigin = await signInWithPasskey(authenticator, { origin: 'https://enclave-login.example', rpId: site.rpId });
    expect(phishingOrigin.status).toBe(401);
    expect(await errorCode(phishingOrigin)).toBe('passkey_not_accepted');
    expect(phishingOrigin.headers.getSetCookie()).toEqual([]);
    const phishingRpId = await signInWithPasskey(authenticator, { origin: site.origin, rpId: 'enclave-login.example' });
    expect(phishingRpId.status).toBe(401);
    expect(await errorCode(phishingRpId)).toBe('passkey_not_accepted');
    const withoutVerification = await signInWithPasskey(authenticator, site, { flags: FLAG_UP });
    expect(withoutVerification.status).toBe(401);

    const refused = failedSignIns('assertion_invalid').filter((event) => event.target_id === user.id).map((event) => JSON.parse(event.details).detail as string);
    expect(refused).toHaveLength(3);
    expect(refused[0]).toContain('https://enclave-login.example');
    expect(refused[1]).toMatch(/RP ID/i);
    expect(refused[2]).toMatch(/user verification/i);
    // The real site still works.
    expect((await signInWithPasskey(authenticator)).status).toBe(200);
  });

  it('[IDN-07] a challenge is spent by its first use: replaying a ceremony or an old assertion is refused', async () => {
    const user = await enclave.createUser();
    const authenticator = new SoftwareAuthenticator();
    await addPasskey(user, await enclave.signIn(user), authenticator);

    const { ceremonyId, options } = await startSignIn();
    const body = { ceremonyId, response: authenticator.assert(options, site) };
    expect((await post('/api/auth/passkeys/authentication/verify', undefined, body)).status).toBe(200);
    const replayed = await post('/api/auth/passkeys/authentication/verify', undefined, body);
    expect(replayed.status).toBe(400);
    expect(await errorCode(replayed)).toBe('passkey_ceremony_expired');

    // The same signed assertion under a fresh ceremony: its challenge is not this ceremony's.
    const fresh = await startSignIn();
    const oldAssertion = await post('/api/auth/passkeys/authentication/verify', undefined, { ceremonyId: fresh.ceremonyId, response: body.response });
    expect(oldAssertion.status).toBe(401);
    expect(await errorCode(oldAssertion)).toBe('passkey_not_accepted');
    expect(failedSignIns('ceremony_expired').some((event) => event.target_id === user.id)).toBe(true);
  });

  it('[IDN-07] an assertion signed by another key is refused', async () => {
    const user = await enclave.createUser();
    const authenticator = new SoftwareAuthenticator();
    await addPasskey(user, await enclave.signIn(user), authenticator);
    const forged = await signInWithPasskey(authenticator, site, { signingKey: SoftwareAuthenticator.otherKey() });
    expect(forged.status).toBe(401);
    expect(await errorCode(forged)).toBe('passkey_not_accepted');
    expect(failedSignIns('signature_invalid').some((event) => event.target_id === user.id)).toBe(true);
  });

  it('[IDN-07] a cloned authenticator whose counter does not move forward is refused and audited', async () => {
    const user = await enclave.createUser();
    const authenticator = new SoftwareAuthenticator();
    const passkey = await addPasskey(user, await enclave.signIn(user), authenticator);
    expect((await signInWithPasskey(authenticator, site, { counter: 7 })).status).toBe(200);

    // A copy of the key signs correctly, but its counter is behind (or equal to) the original's.
    for (const counter of [7, 3]) {
      const clone = await signInWithPasskey(authenticator, site, { counter });
      expect(clone.status).toBe(401);
      expect(await errorCode(clone)).toBe('passkey_not_accepted');
    }
    const suspected = controlEvents(enclave).filter((event) => event.action === 'user.passkey.clone_suspected' && event.target_id === user.id);
    expect(suspected.map((event) => event.outcome)).toEqual(['denied', 'denied']);
    expect(JSON.parse(suspected[1]!.details)).toEqual({ passkeyId: passkey.id, storedCounter: 7, presentedCounter: 3 });
    expect(failedSignIns('counter_not_increased').filter((event) => event.target_id === user.id)).toHaveLength(2);
    expect((await signInWithPasskey(authenticator, site, { counter: 8 })).status).toBe(200);
  });

  it('[IDN-07] adding a passkey needs the password again, in the session that started it', async () => {
    const user = await enclave.createUser();
    const cookie = await enclave.signIn(user);
    const authenticator = new SoftwareAuthenticator();

    const wrongPassword = await post('/api/auth/passkeys/registration/options', cookie, { password: 'not-the-password' });
    expect(wrongPassword.status).toBe(403);
    expect(await errorCode(wrongPassword)).toBe('reauthentication_failed');
    const noPassword = await post('/api/auth/passkeys/registration/options', cookie, {});
    expect(noPassword.status).toBe(400);
    const anonymous = await post('/api/auth/passkeys/registration/options', undefined, { password: user.password });
    expect(anonymous.status).toBe(401);

    // An answer with no challenge asked for, even a perfectly made one, is refused.
    const unasked = await post('/api/auth/passkeys/registration/verify', cookie, {
      response: authenticator.register({ challenge: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', user: { id: 'eA' } }, site),
    });
    expect(unasked.status).toBe(409);
    expect(await errorCode(unasked)).toBe('passkey_registration_not_started');

    // A challenge belongs to the session that asked for it; another session of the same person cannot spend it.
    const started = await post('/api/auth/passkeys/registration/options', cookie, { password: user.password });
    const { options } = (await started.json()) as { options: { challenge: string; user: { id: string } } };
    const elsewhere = await post('/api/auth/passkeys/registration/verify', await enclave.signIn(user), { response: authenticator.register(options, site) });
    expect(elsewhere.status).toBe(409);
    expect(await errorCode(elsewhere)).toBe('passkey_registration_not_started');

    const listed = await enclave.request('GET', '/api/auth/passkeys', { cookie });
    expect(await listed.json()).toEqual({ passkeys: [] });
    expect((await signInWithPasskey(authenticator)).status).toBe(401);
    const failures = controlEvents(enclave).filter((event) => event.action === 'user.reauthenticate' && event.actor_id === user.id);
    expect(failures.map((event) => event.outcome)).toEqual(['failure']);
  });

  it('[IDN-07] a removed passkey no longer signs in, and removing one needs the password', async () => {
    const user = await enclave.createUser();
    const cookie = await enclave.signIn(user);
    const authenticator = new SoftwareAuthenticator();
    const passkey = await addPasskey(user, cookie, authenticator, 'Phone');
    expect((await signInWithPasskey(authenticator)).status).toBe(200);

    const renamed = await enclave.request('PATCH', `/api/auth/passkeys/${passkey.id}`, { cookie, body: { name: 'Old phone' } });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ passkey: { id: passkey.id, name: 'Old phone' } });

    const withoutPassword = await enclave.request('DELETE', `/api/auth/passkeys/${passkey.id}`, { cookie, body: {} });
    expect(withoutPassword.status).toBe(400);
    const wrongPassword = await enclave.request('DELETE', `/api/auth/passkeys/${passkey.id}`, { cookie, body: { password: 'nope' } });
    expect(wrongPassword.status).toBe(403);
    expect((await signInWithPasskey(authenticator)).status).toBe(200);

    const removed = await enclave.request('DELETE', `/api/auth/passkeys/${passkey.id}`, { cookie, body: { password: user.password } });
    expect(removed.status).toBe(204);
    const refused = await signInWithPasskey(authenticator);
    expect(refused.status).toBe(401);
    expect(await errorCode(refused)).toBe('passkey_not_accepted');
    expect(await (await enclave.request('GET', '/api/auth/passkeys', { cookie })).json()).toEqual({ passkeys: [] });
    const deleted = controlEvents(enclave).find((event) => event.action === 'user.passkey.delete' && event.actor_id === user.id)!;
    expect(JSON.parse(deleted.details)).toMatchObject({ passkeyId: passkey.id });
  });

  it('[IDN-07] nobody can rename or remove another person’s passkey', async () => {
    const owner = await enclave.createUser('Owner');
    const intruder = await enclave.createUser('Intruder');
    const authenticator = new SoftwareAuthenticator();
    const passkey = await addPasskey(owner, await enclave.signIn(owner), authenticator);
    const intruderCookie = await enclave.signIn(intruder);

    const removal = await enclave.request('DELETE', `/api/auth/passkeys/${passkey.id}`, { cookie: intruderCookie, body: { password: intruder.password } });
    expect(removal.status).toBe(404);
    expect(await errorCode(removal)).toBe('passkey_not_found');
    const rename = await enclave.request('PATCH', `/api/auth/passkeys/${passkey.id}`, { cookie: intruderCookie, body: { name: 'mine now' } });
    expect(rename.status).toBe(404);
    expect(await (await enclave.request('GET', '/api/auth/passkeys', { cookie: intruderCookie })).json()).toEqual({ passkeys: [] });

    // Still the owner's, still working, still under its name.
    const signedIn = await signInWithPasskey(authenticator);
    expect(signedIn.status).toBe(200);
    const listed = await enclave.request('GET', '/api/auth/passkeys', { cookie: sessionCookie(signedIn) });
    expect(await listed.json()).toMatchObject({ passkeys: [{ id: passkey.id, name: 'Passkey' }] });
  });

  it('[IDN-07] the same authenticator cannot be registered twice, and malformed answers are refused with a 4xx', async () => {
    const user = await enclave.createUser();
    const cookie = await enclave.signIn(user);
    const authenticator = new SoftwareAuthenticator();
    await addPasskey(user, cookie, authenticator);
    const started = await post('/api/auth/passkeys/registration/options', cookie, { password: user.password });
    const { options } = (await started.json()) as { options: { challenge: string; user: { id: string }; excludeCredentials: { id: string }[] } };
    expect(options.excludeCredentials.map((entry) => entry.id)).toEqual([authenticator.credentialId.toString('base64url')]);
    const again = await post('/api/auth/passkeys/registration/verify', cookie, { response: authenticator.register(options, site) });
    expect(again.status).toBe(409);
    expect(await errorCode(again)).toBe('passkey_already_registered');

    const { ceremonyId } = await startSignIn();
    for (const body of [{}, { ceremonyId }, { ceremonyId: 'short', response: {} }, { ceremonyId, response: { id: '!!', extra: 1 } }]) {
      const response = await post('/api/auth/passkeys/authentication/verify', undefined, body);
      expect(response.status).toBe(400);
    }
  });
});

describe('passkeys on a server reached by IP address', () => {
  let enclave: TestServer;
  beforeAll(async () => {
    enclave = await startTestServer();
  });
  afterAll(() => enclave.close());

  it('[IDN-07] ceremonies are refused with a clear code, since an IP address cannot be an RP ID', async () => {
    const user = await enclave.createUser();
    const cookie = await enclave.signIn(user);
    const registration = await enclave.request('POST', '/api/auth/passkeys/registration/options', { cookie, body: { password: user.password } });
    expect(registration.status).toBe(409);
    expect(((await registration.json()) as { error: { code: string } }).error.code).toBe('passkeys_unavailable');
    const signIn = await enclave.request('POST', '/api/auth/passkeys/authentication/options', { body: {}, headers: { origin: enclave.url } });
    expect(signIn.status).toBe(409);
  });
});

describe('passkey sign-in rate limit', () => {
  let enclave: TestServer;
  beforeAll(async () => {
    const port = await freePort();
    enclave = await startTestServer({ port, publicUrl: `http://localhost:${port}`, rateLimit: { signInPerIpPerMinute: 3 } });
  });
  afterAll(() => enclave.close());

  it('[IDN-07] starting passkey sign-ins counts against the sign-in limit per IP: the 4th in a minute gets 429 with Retry-After', async () => {
    const start = () => enclave.request('POST', '/api/auth/passkeys/authentication/options', { body: {}, headers: { origin: enclave.url } });
    for (let attempt = 0; attempt < 3; attempt++) expect((await start()).status).toBe(200);
    const limited = await start();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
