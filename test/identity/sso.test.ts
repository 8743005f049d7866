import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.ts';
import { selfSignedCertificate, TestSamlIdp } from '../helpers/saml-idp.ts';
import { startOidcProvider, type TestOidcProvider } from '../helpers/sso-oidc-provider.ts';
import { cookiePair, startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { controlEvents, workspaceEvents } from './audit.ts';

interface SsoDomain {
  domain: string;
  txtName: string;
  txtValue: string;
  verifiedAt: string | null;
}

/** Debian's oathtool, an independent TOTP implementation; `aheadSeconds` asks for a later step's code. */
function oathtool(secret: string, aheadSeconds = 0): string {
  return execFileSync('oathtool', ['--totp', '-b', '-N', `@${Math.floor(Date.now() / 1000) + aheadSeconds}`, secret], { encoding: 'utf8' }).trim();
}

const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

/** Whether an answer opens a session: a refusal may clear the sign-in's binding cookie, never set a session. */
const setsSession = (response: Response) => response.headers.getSetCookie().some((line) => /^enclave_session=[^;]/.test(line));

/** A started SSO sign-in: where the browser goes, and the binding cookie (`name=value`) the start set in it. */
interface Started {
  redirect: string;
  binding: string;
}

describe('enterprise single sign-on per workspace (IDN-06)', () => {
  let enclave: TestServer;
  let dns: TestDnsServer;
  let owner: TestUser;
  let ownerCookie: string;
  let viewerCookie: string;
  let workspaceId: string;
  let otherWorkspace: { id: string; token: string };
  const idp = new TestSamlIdp();
  const domain = 'acme-saml.test';
  let connectionId: string;

  const asOwner = (method: string, path: string, body?: unknown) => enclave.request(method, `/api/w/${workspaceId}${path}`, { cookie: ownerCookie, body });

  /** Starts an SSO sign-in for the address, as the dashboard's form does. */
  async function startSignIn(email: string): Promise<Started> {
    const response = await enclave.request('POST', '/api/auth/sso/start', { body: { email }, headers: { origin: enclave.url } });
    expect(response.status, await response.clone().text()).toBe(200);
    const binding = response.headers.getSetCookie().find((line) => line.startsWith('enclave_oidc_binding='));
    expect(binding).toMatch(/HttpOnly; SameSite=Lax$/);
    return { redirect: ((await response.json()) as { redirect: string }).redirect, binding: cookiePair(binding!) };
  }

  /** The browser following the ACS's redirect to the completion step, bringing the cookies it holds. */
  function follow(acs: Response, cookie?: string): Promise<Response> {
    expect(acs.status).toBe(303);
    const location = acs.headers.get('location')!;
    expect(location).toMatch(/^\/api\/auth\/sso\/saml\/complete\?code=[A-Za-z0-9_-]{43}$/);
    return fetch(`${enclave.url}${location}`, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) });
  }

  /** A whole SAML sign-in in one browser: start, the IdP's answer, the ACS and the completion step. */
  async function samlSignIn(email: string, options: Parameters<TestSamlIdp['respond']>[1]): Promise<Response> {
    const started = await startSignIn(email);
    return follow(await postToAcs(idp.respond(started.redirect, options)), started.binding);
  }

  /** The browser submitting the IdP's auto-posting form: cross-site, from the IdP's origin, with no Enclave cookie. */
  function postToAcs(samlResponse: string, id = connectionId): Promise<Response> {
    return fetch(`${enclave.url}/api/auth/sso/saml/${id}/acs`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://idp.example.test', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ SAMLResponse: samlResponse }).toString(),
    });
  }

  beforeAll(async () => {
    dns = await startDnsServer();
    enclave = await startTestServer({ sso: { dnsServers: [dns.address], allowLoopbackIssuers: true }, rateLimit: { signInPerIpPerMinute: 1000 } });
    const workspace = await enclave.createWorkspace('Acme');
    workspaceId = workspace.id;
    otherWorkspace = await enclave.createWorkspace('Rival');
    owner = await enclave.createUser('Olivia Owner');
    await enclave.addMember(workspaceId, owner, 'owner');
    ownerCookie = await enclave.signIn(owner);
    const viewer = await enclave.createUser('Victor Viewer');
    await enclave.addMember(workspaceId, viewer, 'viewer');
    viewerCookie = await enclave.signIn(viewer);
  });
  afterAll(async () => {
    await enclave?.close();
    await dns?.close();
  });

  it('[IDN-06] a domain is verified only by its TXT record, looked up in DNS; a missing or wrong record is refused', async () => {
    const added = await asOwner('POST', '/sso/domains', { domain: 'Acme-SAML.test' });
    expect(added.status).toBe(201);
    const claim = (await added.json()) as SsoDomain;
    expect(claim).toMatchObject({ domain, txtName: `_enclave-challenge.${domain}`, verifiedAt: null });
    expect(claim.txtValue).toMatch(/^enclave-domain-verification=[A-Za-z0-9_-]{43}$/);

    // No record at all (NXDOMAIN from the DNS server).
    const missing = await asOwner('POST', `/sso/domains/${domain}/verify`);
    expect(missing.status).toBe(422);
    expect(await errorCode(missing)).toBe('txt_record_not_found');
    expect(dns.queries).toContain(claim.txtName);

    // A record that holds something else, such as another workspace's challenge.
    dns.setTxt(claim.txtName, ['v=spf1 -all', 'enclave-domain-verification=not-this-one']);
    const wrong = await asOwner('POST', `/sso/domains/${domain}/verify`);
    expect(wrong.status).toBe(422);
    expect(await errorCode(wrong)).toBe('txt_record_not_found');

    // A connection cannot be bound to an unverified domain.
    const early = await asOwner('POST', `/sso/domains/${domain}/connections`, {
      protocol: 'saml', idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, idpCertificate: idp.key.certificate, defaultRole: 'builder',
    });
    expect(early.status).toBe(409);
    expect(await errorCode(early)).toBe('domain_not_verified');

    dns.setTxt(claim.txtName, ['v=spf1 -all', claim.txtValue]);
    const verified = await asOwner('POST', `/sso/domains/${domain}/verify`);
    expect(verified.status).toBe(200);
    expect(((await verified.json()) as SsoDomain).verifiedAt).not.toBeNull();

    const events = workspaceEvents(enclave, workspaceId).filter((event) => event.action.startsWith('sso.domain.'));
    expect(events.map((event) => [event.action, event.outcome])).toEqual([
      ['sso.domain.add', 'success'],
      ['sso.domain.verify', 'failure'],
      ['sso.domain.verify', 'failure'],
      ['sso.domain.verify', 'success'],
    ]);
    expect(events.every((event) => event.actor_id === owner.id && event.target_id === domain)).toBe(true);
  });

  it('[IDN-06] the nightly re-check withdraws a verification whose TXT record is gone, and keeps it when the lookup itself fails', async () => {
    const other = 'lapsed-domain.test';
    const added = (await (await asOwner('POST', '/sso/domains', { domain: other })).json()) as SsoDomain;
    dns.setTxt(added.txtName, [added.txtValue]);
    expect((await asOwner('POST', `/sso/domains/${other}/verify`)).status).toBe(200);
    const system = { actor: { type: 'system' as const, id: 'test' } };
    expect(await enclave.server.platform.sso.domains.recheckAll(system)).toEqual([]);

    dns.setTxt(added.txtName, ['v=spf1 -all']);
    expect(await enclave.server.platform.sso.domains.recheckAll(system)).toEqual([`${workspaceId}:${other}`]);
    const listed = (await (await asOwner('GET', '/sso')).json()) as { domains: SsoDomain[] };
    expect(listed.domains.find((candidate) => candidate.domain === other)?.verifiedAt).toBeNull();
    // The workspace's main domain, still published, stays verified.
    expect(listed.domains.find((candidate) => candidate.domain === domain)?.verifiedAt).not.toBeNull();
    expect(workspaceEvents(enclave, workspaceId).some((event) => event.action === 'sso.domain.unverify' && event.target_id === other)).toBe(true);
    expect((await asOwner('DELETE', `/sso/domains/${other}`)).status).toBe(204);
  });

  it('[IDN-06] a domain verified by one workspace cannot be verified by another, even with its own record published', async () => {
    const refused = await enclave.request('POST', `/api/w/${otherWorkspace.id}/sso/domains`, { token: otherWorkspace.token, body: { domain } });
    expect(refused.status).toBe(409);
    expect(await errorCode(refused)).toBe('domain_taken');

    // A domain claimed by both before either verified: the second verification loses, whatever it publishes.
    const contested = 'contested.test';
    const first = (await (await asOwner('POST', '/sso/domains', { domain: contested })).json()) as SsoDomain;
    const secondResponse = await enclave.request('POST', `/api/w/${otherWorkspace.id}/sso/domains`, { token: otherWorkspace.token, body: { domain: contested } });
    expect(secondResponse.status).toBe(201);
    const second = (await secondResponse.json()) as SsoDomain;
    dns.setTxt(first.txtName, [first.txtValue, second.txtValue]);
    expect((await asOwner('POST', `/sso/domains/${contested}/verify`)).status).toBe(200);
    const lost = await enclave.request('POST', `/api/w/${otherWorkspace.id}/sso/domains/${contested}/verify`, { token: otherWorkspace.token });
    expect(lost.status).toBe(409);
    expect(await errorCode(lost)).toBe('domain_taken');
  });

  it('[IDN-06] a viewer cannot see or manage SSO (403), and an owner sees no certificate or secret once a connection exists', async () => {
    for (const [method, path, body] of [
      ['GET', '/sso', undefined],
      ['POST', '/sso/domains', { domain: 'viewer.test' }],
      ['POST', `/sso/domains/${domain}/verify`, undefined],
      ['POST', `/sso/domains/${domain}/connections`, { protocol: 'oidc', issuer: 'https://idp.viewer.test', clientId: 'x', clientSecret: 'y', defaultRole: 'admin' }],
    ] as const) {
      const response = await enclave.request(method, `/api/w/${workspaceId}${path}`, { cookie: viewerCookie, body });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await errorCode(response)).toBe('forbidden');
    }

    // Owner is never a just-in-time role.
    const asOwnerRole = await asOwner('POST', `/sso/domains/${domain}/connections`, {
      protocol: 'saml', idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, idpCertificate: idp.key.certificate, defaultRole: 'owner',
    });
    expect(asOwnerRole.status).toBe(400);

    const created = await asOwner('POST', `/sso/domains/${domain}/connections`, {
      protocol: 'saml', idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, idpCertificate: idp.key.certificate, defaultRole: 'builder',
    });
    expect(created.status).toBe(201);
    const connection = (await created.json()) as Record<string, string>;
    connectionId = connection.id!;
    expect(connection).toMatchObject({
      protocol: 'saml',
      domain,
      defaultRole: 'builder',
      spEntityId: `${enclave.url}/api/auth/sso/saml/${connectionId}/metadata`,
      acsUrl: `${enclave.url}/api/auth/sso/saml/${connectionId}/acs`,
    });
    const certificateBody = idp.key.certificate.split('\n')[1]!;
    const listing = await (await asOwner('GET', '/sso')).text();
    for (const text of [JSON.stringify(connection), listing]) {
      expect(text).not.toContain(certificateBody);
      expect(text).not.toContain('BEGIN CERTIFICATE');
    }
    // Stored only sealed: the control database row holds neither the PEM nor its base64 body.
    const row = enclave.server.platform.controlDb.prepare('SELECT * FROM sso_connection WHERE id = ?').get(connectionId) as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(certificateBody.slice(0, 40));
    expect(Buffer.from(row.secret_sealed as Uint8Array).includes(Buffer.from(certificateBody.slice(0, 40)))).toBe(false);

    const metadata = await enclave.request('GET', `/api/auth/sso/saml/${connectionId}/metadata`);
    expect(metadata.status).toBe(200);
    const xml = await metadata.text();
    expect(xml).toContain(`entityID="${enclave.url}/api/auth/sso/saml/${connectionId}/metadata"`);
    expect(xml).toContain(`Location="${enclave.url}/api/auth/sso/saml/${connectionId}/acs"`);
    expect(xml).toContain('WantAssertionsSigned="true"');

    const withConnection = await asOwner('DELETE', `/sso/domains/${domain}`);
    expect(withConnection.status).toBe(409);
    expect(await errorCode(withConnection)).toBe('domain_in_use');
  });

  it('[IDN-06] an address at an unknown domain gets 404 sso_not_configured', async () => {
    const response = await enclave.request('POST', '/api/auth/sso/start', { body: { email: 'someone@nowhere.test' }, headers: { origin: enclave.url } });
    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe('sso_not_configured');
    // An unverified domain counts as unknown, even where a workspace has added it.
    const unverified = await enclave.request('POST', '/api/auth/sso/start', { body: { email: 'x@viewer.test' }, headers: { origin: enclave.url } });
    expect(unverified.status).toBe(404);
  });

  it('[IDN-06] SAML: a signed response from the registered IdP signs a new person in and makes them a member with the default role', async () => {
    const started = await startSignIn('Alice@Acme-SAML.test');
    expect(started.redirect.startsWith(`${idp.ssoUrl}?`)).toBe(true);
    const acs = await postToAcs(idp.respond(started.redirect, { email: 'alice@acme-saml.test', name: 'Alice Example' }));
    // The cross-site POST opens no session: it only hands on to a same-site step.
    expect(setsSession(acs)).toBe(false);
    const response = await follow(acs, started.binding);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/');
    const [session_, clearedBinding] = response.headers.getSetCookie();
    expect(session_).toMatch(/^enclave_session=.+; HttpOnly; SameSite=Lax$/);
    expect(clearedBinding).toMatch(/^enclave_oidc_binding=; Max-Age=0;/);
    const cookie = cookiePair(session_!);

    const session = (await (await enclave.request('GET', '/api/auth/session', { cookie })).json()) as { user: { id: string; email: string; name: string } };
    expect(session.user).toMatchObject({ email: 'alice@acme-saml.test', name: 'Alice Example' });
    const members = (await (await asOwner('GET', '/members')).json()) as { members: { userId: string; role: string }[] };
    expect(members.members.find((member) => member.userId === session.user.id)?.role).toBe('builder');
    // Alice works in the workspace at once: as a builder she reads it, and as a builder she cannot manage SSO.
    expect((await enclave.request('GET', `/api/w/${workspaceId}`, { cookie })).status).toBe(200);
    expect((await enclave.request('GET', `/api/w/${workspaceId}/sso`, { cookie })).status).toBe(403);

    const events = workspaceEvents(enclave, workspaceId);
    const joined = events.find((event) => event.action === 'member.add' && event.target_id === session.user.id);
    expect(joined).toMatchObject({ actor_type: 'system', actor_id: `sso:${connectionId}`, outcome: 'success' });
    expect(JSON.parse(joined!.details)).toMatchObject({ role: 'builder', via: 'sso' });
    const signIn = controlEvents(enclave).find((event) => event.action === 'user.sign_in' && event.target_id === session.user.id);
    expect(JSON.parse(signIn!.details)).toMatchObject({ method: 'sso' });

    // A second sign-in finds the same account and leaves the membership as it is.
    const again = await samlSignIn('alice@acme-saml.test', { email: 'alice@acme-saml.test' });
    expect(again.headers.get('location')).toBe('/');
    const after = (await (await asOwner('GET', '/members')).json()) as { members: { userId: string }[] };
    expect(after.members.filter((member) => member.userId === session.user.id)).toHaveLength(1);
  });

  it('[IDN-06] SAML: a member removed after joining is not added back by signing in through SSO again', async () => {
    const first = await samlSignIn('rita@acme-saml.test', { email: 'rita@acme-saml.test' });
    expect(first.headers.get('location')).toBe('/');
    const rita = enclave.server.platform.identity.userByEmail('rita@acme-saml.test')!;
    expect((await asOwner('DELETE', `/members/${rita.id}`)).status).toBe(204);
    const again = await samlSignIn('rita@acme-saml.test', { email: 'rita@acme-saml.test' });
    expect(again.headers.get('location')).toBe('/');
    const members = (await (await asOwner('GET', '/members')).json()) as { members: { userId: string }[] };
    expect(members.members.map((member) => member.userId)).not.toContain(rita.id);
  });

  it('[IDN-06] SAML: a replayed response is refused, because its request id works once; so is its completion code', async () => {
    const started = await startSignIn('bob@acme-saml.test');
    const samlResponse = idp.respond(started.redirect, { email: 'bob@acme-saml.test' });
    const acs = await postToAcs(samlResponse);
    const location = acs.headers.get('location')!;
    expect((await follow(acs, started.binding)).headers.get('location')).toBe('/');
    const replay = await postToAcs(samlResponse);
    expect(replay.status).toBe(302);
    expect(replay.headers.get('location')).toBe('/sign-in?error=sso_request_unknown');
    expect(setsSession(replay)).toBe(false);
    const reused = await fetch(`${enclave.url}${location}`, { redirect: 'manual', headers: { cookie: started.binding } });
    expect(reused.headers.get('location')).toBe('/sign-in?error=sso_request_unknown');
    expect(setsSession(reused)).toBe(false);
  });

  it('[IDN-06] SAML: a valid answer for a sign-in started in another browser does not sign this one in (login CSRF)', async () => {
    // The attacker starts a sign-in, signs in at the IdP as themselves, and makes the victim's browser post the answer.
    const attackerAnswer = async () => postToAcs(idp.respond((await startSignIn('bob@acme-saml.test')).redirect, { email: 'bob@acme-saml.test' }));
    // The victim's browser holds a binding of its own (it started a sign-in too), or none at all.
    const victim = await startSignIn('victim@acme-saml.test');
    for (const cookie of [victim.binding, undefined]) {
      const response = await follow(await attackerAnswer(), cookie);
      expect(response.headers.get('location')).toBe('/sign-in?error=sso_browser_mismatch');
      expect(setsSession(response)).toBe(false);
    }
    const refusals = workspaceEvents(enclave, workspaceId).filter((event) => event.action === 'sso.sign_in' && event.outcome === 'failure');
    expect(refusals.slice(-2).map((event) => JSON.parse(event.details).reason)).toEqual(['sso_browser_mismatch', 'sso_browser_mismatch']);
  });

  it('[IDN-06] SAML: an existing account at the domain is linked, keeps its role, and still owes its second factor', async () => {
    const email = 'dana@acme-saml.test';
    const password = `pw-${randomUUID()}`;
    const dana = await enclave.server.platform.identity.createVerifiedUser({ email, name: 'Dana Admin', password }, { actor: { type: 'operator', id: 'test' } });
    await enclave.addMember(workspaceId, { id: dana.id, email, password }, 'admin');
    const passwordCookie = await enclave.signIn({ email, password });
    const enrolled = await enclave.request('POST', '/api/auth/mfa/totp/enroll', { cookie: passwordCookie, body: { password } });
    const { secret } = (await enrolled.json()) as { secret: string };
    expect((await enclave.request('POST', '/api/auth/mfa/totp/confirm', { cookie: passwordCookie, body: { code: oathtool(secret) } })).status).toBe(200);

    const response = await samlSignIn(email, { email });
    expect(response.headers.get('location')).toMatch(/^\/sign-in\?step=second-factor&methods=[a-z_,]*totp/);
    const pending = cookiePair(response.headers.getSetCookie()[0]!);
    // The IdP's word is the first factor only: until the code comes, the cookie is no session.
    expect((await enclave.request('GET', '/api/auth/session', { cookie: pending })).status).toBe(401);
    expect((await enclave.request('GET', `/api/w/${workspaceId}`, { cookie: pending })).status).toBe(401);
    const verified = await enclave.request('POST', '/api/auth/mfa/verify', { cookie: pending, body: { code: oathtool(secret, 30) } });
    expect(verified.status).toBe(200);
    const cookie = cookiePair(verified.headers.getSetCookie()[0]!);
    const session = (await (await enclave.request('GET', '/api/auth/session', { cookie })).json()) as { user: { id: string } };
    expect(session.user.id).toBe(dana.id);
    const members = (await (await asOwner('GET', '/members')).json()) as { members: { userId: string; role: string }[] };
    expect(members.members.find((member) => member.userId === dana.id)?.role).toBe('admin');
    const linked = controlEvents(enclave).find((event) => event.action === 'user.link_account' && event.target_id === dana.id);
    expect(JSON.parse(linked!.details)).toMatchObject({ provider: `sso:${connectionId}` });
  });

  it('[IDN-06] SAML: unsigned, wrongly signed, tampered, mis-addressed, expired and out-of-domain responses are refused', async () => {
    const forger = selfSignedCertificate('Forger');
    // Each case names the reason the server logs, so each is refused for its own fault, not for an accident of the fixture.
    const cases: [string, Parameters<TestSamlIdp['respond']>[1], string, RegExp][] = [
      ['unsigned', { email: 'mallory@acme-saml.test', sign: 'none' }, 'sso_response_invalid', /Invalid document signature/],
      ['only the response signed', { email: 'mallory@acme-saml.test', sign: 'response' }, 'sso_response_invalid', /Invalid signature$/],
      ['only the assertion signed', { email: 'mallory@acme-saml.test', sign: 'assertion' }, 'sso_response_invalid', /Invalid document signature/],
      ['signed by another key', { email: 'mallory@acme-saml.test', signWith: forger }, 'sso_response_invalid', /Invalid document signature/],
      ['changed after signing', { email: 'mallory@acme-saml.test', tamper: (xml) => xml.replaceAll('mallory@', 'olivia@') }, 'sso_response_invalid', /Invalid document signature/],
      ['for another audience', { email: 'mallory@acme-saml.test', audience: 'https://other-sp.example/metadata' }, 'sso_response_invalid', /audience mismatch/],
      ['from another issuer', { email: 'mallory@acme-saml.test', issuer: 'https://other-idp.example/saml' }, 'sso_response_invalid', /not from the registered identity provider/],
      ['past NotOnOrAfter', { email: 'mallory@acme-saml.test', notOnOrAfter: new Date(Date.now() - 10 * 60_000) }, 'sso_response_invalid', /No valid subject confirmation/],
      ['for a request never sent', { email: 'mallory@acme-saml.test', inResponseTo: '_never-sent' }, 'sso_request_unknown', /not to a pending sign-in/],
      ['for an address outside the domain', { email: 'mallory@elsewhere.test' }, 'sso_email_outside_domain', /outside its verified domain/],
    ];
    for (const [name, options, code, reason] of cases) {
      const samlResponse = idp.respond((await startSignIn('mallory@acme-saml.test')).redirect, options);
      const response = await postToAcs(samlResponse);
      expect(response.status, name).toBe(302);
      expect(response.headers.get('location'), name).toBe(`/sign-in?error=${code}`);
      expect(setsSession(response), name).toBe(false);
      const logged = enclave.logs.filter((line) => line.includes('SSO sign-in refused')).at(-1)!;
      expect(JSON.parse(logged).reason, name).toMatch(reason);
      expect(enclave.logs.join('\n'), name).not.toContain(samlResponse.slice(0, 200));
    }
    expect(enclave.server.platform.identity.userByEmail('mallory@acme-saml.test')).toBeUndefined();
    expect(enclave.server.platform.identity.userByEmail('mallory@elsewhere.test')).toBeUndefined();
    const refusals = workspaceEvents(enclave, workspaceId).filter((event) => event.action === 'sso.sign_in' && event.outcome === 'failure');
    expect(refusals.slice(-cases.length).map((event) => JSON.parse(event.details).reason)).toEqual(cases.map(([, , code]) => code));
  });

  it('[IDN-06] the cross-site exemption is the ACS route alone: other state-changing routes still refuse a foreign origin', async () => {
    const start = await fetch(`${enclave.url}/api/auth/sso/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://idp.example.test' },
      body: JSON.stringify({ email: 'alice@acme-saml.test' }),
    });
    expect(start.status).toBe(403);
    expect(await errorCode(start)).toBe('cross_origin_refused');
    const form = await fetch(`${enclave.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://idp.example.test' },
      body: 'email=a%40b.test&password=x',
    });
    expect(form.status).toBe(403);
    // An ACS of a connection that does not exist signs nobody in.
    const unknown = await postToAcs(idp.respond((await startSignIn('alice@acme-saml.test')).redirect, { email: 'alice@acme-saml.test' }), 'sso_00000000000000000000000000000000');
    expect(unknown.headers.get('location')).toBe('/sign-in?error=sso_connection_not_found');
  });

  it('[IDN-06] another workspace cannot delete the connection; its owner can, and sign-ins through it stop at once', async () => {
    const foreign = await enclave.request('DELETE', `/api/w/${otherWorkspace.id}/sso/connections/${connectionId}`, { token: otherWorkspace.token });
    expect(foreign.status).toBe(404);
    expect(await errorCode(foreign)).toBe('connection_not_found');

    const pending = await startSignIn('alice@acme-saml.test');
    expect((await asOwner('DELETE', `/sso/connections/${connectionId}`)).status).toBe(204);
    const start = await enclave.request('POST', '/api/auth/sso/start', { body: { email: 'alice@acme-saml.test' }, headers: { origin: enclave.url } });
    expect(await errorCode(start)).toBe('sso_not_configured');
    const late = await postToAcs(idp.respond(pending.redirect, { email: 'alice@acme-saml.test' }));
    expect(late.headers.get('location')).toBe('/sign-in?error=sso_connection_not_found');
    expect((await enclave.request('GET', `/api/auth/sso/saml/${connectionId}/metadata`)).status).toBe(404);
    const deleted = workspaceEvents(enclave, workspaceId).find((event) => event.action === 'sso.connection.delete');
    expect(deleted).toMatchObject({ actor_id: owner.id, target_id: connectionId, outcome: 'success' });
    expect((await asOwner('DELETE', `/sso/domains/${domain}`)).status).toBe(204);
  });
});

describe('enterprise single sign-on over OIDC (IDN-06)', () => {
  let enclave: TestServer;
  let dns: TestDnsServer;
  let provider: TestOidcProvider;
  let workspace: { id: string; token: string };
  const domain = 'acme-oidc.test';
  const clientSecret = `canary-sso-client-secret-${Date.now()}`;
  let connectionId: string;

  const browse = (path: string, cookie?: string) => fetch(`${enclave.url}${path}`, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) });

  /** Starts at Enclave, goes through the provider, and returns the callback path with the browser's binding cookie. */
  async function throughProvider(email: string): Promise<{ callback: string; binding: string }> {
    const start = await enclave.request('POST', '/api/auth/sso/start', { body: { email }, headers: { origin: enclave.url } });
    expect(start.status).toBe(200);
    const binding = cookiePair(start.headers.getSetCookie().find((line) => line.startsWith('enclave_oidc_binding='))!);
    const { redirect } = (await start.json()) as { redirect: string };
    expect(redirect.startsWith(`${provider.issuer}/`)).toBe(true);
    const callback = await provider.authorize(redirect);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${enclave.url}/api/auth/sso/oidc/callback`);
    return { callback: `${callback.pathname}${callback.search}`, binding };
  }

  async function signInThroughProvider(email: string): Promise<Response> {
    const { callback, binding } = await throughProvider(email);
    return browse(callback, binding);
  }

  beforeAll(async () => {
    dns = await startDnsServer();
    enclave = await startTestServer({ sso: { dnsServers: [dns.address], allowLoopbackIssuers: true }, rateLimit: { signInPerIpPerMinute: 1000 } });
    provider = await startOidcProvider({ clientId: 'enclave-sso', clientSecret, redirectUri: `${enclave.url}/api/auth/sso/oidc/callback` });
    workspace = await enclave.createWorkspace('Acme OIDC');
    const claim = (await (await enclave.request('POST', `/api/w/${workspace.id}/sso/domains`, { token: workspace.token, body: { domain } })).json()) as SsoDomain;
    dns.setTxt(claim.txtName, [claim.txtValue]);
    expect((await enclave.request('POST', `/api/w/${workspace.id}/sso/domains/${domain}/verify`, { token: workspace.token })).status).toBe(200);
    const created = await enclave.request('POST', `/api/w/${workspace.id}/sso/domains/${domain}/connections`, {
      token: workspace.token,
      body: { protocol: 'oidc', issuer: provider.issuer, clientId: 'enclave-sso', clientSecret, defaultRole: 'viewer' },
    });
    expect(created.status).toBe(201);
    connectionId = ((await created.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await enclave?.close();
    await provider?.close();
    await dns?.close();
  });

  it('[IDN-06] OIDC: the connection\'s provider signs a new person in, who joins with the default role; the client secret is never shown or logged', async () => {
    provider.signInAs({ sub: 'carol-0001', email: 'carol@acme-oidc.test', name: 'Carol Example' });
    const response = await signInThroughProvider('carol@acme-oidc.test');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/');
    const cookie = cookiePair(response.headers.getSetCookie()[0]!);
    const session = (await (await enclave.request('GET', '/api/auth/session', { cookie })).json()) as { user: { id: string; email: string; name: string } };
    expect(session.user).toMatchObject({ email: 'carol@acme-oidc.test', name: 'Carol Example' });
    const members = (await (await enclave.request('GET', `/api/w/${workspace.id}/members`, { token: workspace.token })).json()) as {
      members: { userId: string; role: string }[];
    };
    expect(members.members.find((member) => member.userId === session.user.id)?.role).toBe('viewer');
    expect(workspaceEvents(enclave, workspace.id).some((event) => event.action === 'member.add' && event.target_id === session.user.id)).toBe(true);

    const listing = await (await enclave.request('GET', `/api/w/${workspace.id}/sso`, { token: workspace.token })).text();
    expect(listing).toContain(connectionId);
    expect(listing).not.toContain(clientSecret);
    expect(enclave.logs.join('\n')).not.toContain(clientSecret);
    const row = enclave.server.platform.controlDb.prepare('SELECT * FROM sso_connection WHERE id = ?').get(connectionId) as { secret_sealed: Uint8Array; settings: string };
    expect(Buffer.from(row.secret_sealed).includes(Buffer.from(clientSecret))).toBe(false);
    expect(row.settings).not.toContain(clientSecret);
  });

  it('[IDN-06] OIDC: a callback works once and only in the browser that started it; an address outside the verified domain is refused', async () => {
    provider.signInAs({ sub: 'dan-0001', email: 'dan@acme-oidc.test' });
    const { callback, binding } = await throughProvider('dan@acme-oidc.test');
    expect((await browse(callback, binding)).headers.get('location')).toBe('/');
    const replay = await browse(callback, binding);
    expect(replay.headers.get('location')).toBe('/sign-in?error=oidc_state_invalid');
    expect(setsSession(replay)).toBe(false);

    // Login CSRF: a callback carried to a browser that did not start the sign-in.
    const handedOver = await throughProvider('dan@acme-oidc.test');
    const elsewhere = await browse(handedOver.callback);
    expect(elsewhere.headers.get('location')).toBe('/sign-in?error=sso_browser_mismatch');
    expect(setsSession(elsewhere)).toBe(false);

    provider.signInAs({ sub: 'eve-0001', email: 'eve@elsewhere.test' });
    const outside = await signInThroughProvider('eve@acme-oidc.test');
    expect(outside.headers.get('location')).toBe('/sign-in?error=sso_email_outside_domain');
    expect(setsSession(outside)).toBe(false);
    expect(enclave.server.platform.identity.userByEmail('eve@elsewhere.test')).toBeUndefined();
  });
});
