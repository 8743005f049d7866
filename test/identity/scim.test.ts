import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiePair, startTestServer, type TestServer } from '../helpers/server.ts';
import { solvedChallenge } from '../helpers/proof-of-work.ts';
import { linkIn, startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.ts';
import { controlEvents, workspaceEvents } from './audit.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENCLAVE = 'urn:ietf:params:scim:schemas:extension:enclave:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

interface ScimUser {
  id: string;
  userName: string;
  active: boolean;
  displayName?: string;
  name?: { givenName?: string; familyName?: string };
  roles: { value: string }[];
  [ENCLAVE]: { role: string; managed: boolean };
  meta: { location: string };
}
interface ScimList {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: ScimUser[];
}

describe('SCIM 2.0 provisioning and deprovisioning over real HTTP', () => {
  let smtp: SmtpCapture;
  let enclave: TestServer;
  let ownerCookie: string;
  let workspaceA: string;
  let workspaceB: string;
  let tokenA: string;
  let tokenB: string;
  /** Every secret this file hands out, to look for in the server's logs at the end. */
  const secrets: string[] = [];

  const scim = (method: string, path: string, token: string | undefined, body?: unknown) =>
    enclave.request(method, `/scim/v2${path}`, {
      ...(token ? { token } : {}),
      body,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/scim+json' } }),
    });
  const email = (label: string) => `${label}-${Math.random().toString(36).slice(2)}@people.example`;
  const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({
    schemas: [USER, ENCLAVE],
    userName,
    name: { givenName: 'Grace', familyName: 'Hopper' },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
    ...extra,
  });
  async function provision(token: string, userName: string, extra: Record<string, unknown> = {}): Promise<ScimUser> {
    const response = await scim('POST', '/Users', token, userBody(userName, extra));
    expect(response.status, await response.clone().text()).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    return (await response.json()) as ScimUser;
  }
  async function newScimToken(workspaceId: string, name: string): Promise<{ id: string; token: string }> {
    const response = await enclave.request('POST', `/api/w/${workspaceId}/scim/tokens`, { cookie: ownerCookie, body: { name } });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { scimToken: { id: string }; token: string };
    secrets.push(created.token);
    return { id: created.scimToken.id, token: created.token };
  }
  async function mailedLink(address: string): Promise<string> {
    const asked = await enclave.request('POST', '/api/auth/magic-link', { body: { email: address, altcha: await solvedChallenge(enclave.url) }, headers: { origin: enclave.url } });
    expect(asked.status).toBe(202);
    const link = linkIn(await smtp.next(address), enclave.url, '/api/auth/magic-link/verify');
    secrets.push(new URL(link).searchParams.get('token')!);
    return link;
  }
  async function follow(link: string): Promise<Response> {
    return fetch(link, { redirect: 'manual' });
  }
  async function signInByLink(address: string): Promise<string> {
    const landed = await follow(await mailedLink(address));
    expect(landed.status).toBe(303);
    return cookiePair(landed.headers.getSetCookie()[0]!);
  }
  const passwordSignIn = (address: string, password: string) =>
    enclave.request('POST', '/api/auth/sign-in/email', { body: { email: address, password }, headers: { origin: enclave.url } });
  const session = (cookie: string) => enclave.request('GET', '/api/auth/session', { cookie });
  async function scimError(response: Response, status: number, scimType?: string): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.schemas).toEqual([ERROR]);
    expect(body.status).toBe(String(status));
    if (scimType) expect(body.scimType).toBe(scimType);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|SQLITE|\/work\//);
  }

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    enclave = await startTestServer({
      rateLimit: { perIpPerMinute: 100_000, perActorPerMinute: 100_000, signInPerIpPerMinute: 1_000, magicLinkPerEmailPerHour: 100 },
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'enclave@mail.example' },
    });
    const owner = await enclave.createUser('Owner');
    secrets.push(owner.password);
    ownerCookie = await enclave.signIn(owner);
    const create = async (name: string) =>
      ((await (await enclave.request('POST', '/api/workspaces', { cookie: ownerCookie, body: { name } })).json()) as { id: string }).id;
    workspaceA = await create('Alpha');
    workspaceB = await create('Beta');
    tokenA = (await newScimToken(workspaceA, 'Okta')).token;
    tokenB = (await newScimToken(workspaceB, 'Entra')).token;
  });
  afterAll(async () => {
    await enclave.close();
    await smtp.close();
  });

  it('[IDN-06] an owner creates a SCIM token that is shown once, stored only as its hash and audited in the workspace log', async () => {
    const { id, token } = await newScimToken(workspaceA, 'Second IdP');
    expect(token).toMatch(/^ens_[A-Za-z0-9_-]{43}$/);
    const listed = await enclave.request('GET', `/api/w/${workspaceA}/scim/tokens`, { cookie: ownerCookie });
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(text).toContain(id);
    expect(text).not.toContain(token);
    const rows = JSON.stringify(enclave.server.platform.controlDb.prepare('SELECT * FROM scim_token').all());
    expect(rows).not.toContain(token);
    expect(rows).toContain(id);
    expect(workspaceEvents(enclave, workspaceA).some((event) => event.action === 'scim_token.create' && event.target_id === id)).toBe(true);
  });

  it('[IDN-06] discovery documents answer in application/scim+json and describe what is supported', async () => {
    const config = await scim('GET', '/ServiceProviderConfig', tokenA);
    expect(config.status).toBe(200);
    expect(config.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    const body = (await config.json()) as Record<string, { supported: boolean }>;
    expect(body.patch!.supported).toBe(true);
    expect(body.filter!.supported).toBe(true);
    expect(body.bulk!.supported).toBe(false);
    const types = (await (await scim('GET', '/ResourceTypes', tokenA)).json()) as { Resources: { id: string; endpoint: string }[] };
    expect(types.Resources.map((type) => [type.id, type.endpoint])).toEqual([['User', '/Users']]);
    const schemas = (await (await scim('GET', '/Schemas', tokenA)).json()) as { Resources: { id: string; attributes: { name: string }[] }[] };
    const user = schemas.Resources.find((schema) => schema.id === USER)!;
    expect(user.attributes.map((attribute) => attribute.name)).toEqual(expect.arrayContaining(['userName', 'name', 'active', 'emails']));
    expect((await scim('GET', `/Schemas/${encodeURIComponent(ENCLAVE)}`, tokenA)).status).toBe(200);
  });

  it('[IDN-06] a SCIM-created user is found by filter, joins with the role asked for, signs in, and DELETE ends their session on the very next request', async () => {
    const address = email('ada');
    const created = await provision(tokenA, address, { [ENCLAVE]: { role: 'builder' } });
    expect(created.userName).toBe(address);
    expect(created[ENCLAVE]).toEqual({ role: 'builder', managed: true });
    expect(created.meta.location).toBe(`${enclave.url}/scim/v2/Users/${created.id}`);

    const found = (await (await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${address.toUpperCase()}"`)}`, tokenA)).json()) as ScimList;
    expect(found.totalResults).toBe(1);
    expect(found.Resources[0]!.id).toBe(created.id);
    expect((await (await scim('GET', `/Users/${created.id}`, tokenA)).json()) as ScimUser).toMatchObject({ id: created.id, active: true });

    // The person signs in by a magic link captured by a real SMTP server, and works in the workspace with the role provisioned.
    const cookie = await signInByLink(address);
    expect((await session(cookie)).status).toBe(200);
    const members = (await (await enclave.request('GET', `/api/w/${workspaceA}/members`, { cookie })).json()) as { members: { userId: string; role: string }[] };
    expect(members.members.find((member) => member.userId === created.id)?.role).toBe('builder');
    // A second browser, and a link asked for but not yet followed.
    const otherCookie = await signInByLink(address);
    const pendingLink = await mailedLink(address);

    const deleted = await scim('DELETE', `/Users/${created.id}`, tokenA);
    expect(deleted.status).toBe(204);

    expect((await session(cookie)).status).toBe(401);
    expect((await session(otherCookie)).status).toBe(401);
    expect((await enclave.request('GET', `/api/w/${workspaceA}/profile`, { cookie })).status).toBe(401);
    expect((await follow(pendingLink)).status).toBe(400);
    // Asking for a new link answers as for anyone, and mails nothing.
    expect((await enclave.request('POST', '/api/auth/magic-link', { body: { email: address, altcha: await solvedChallenge(enclave.url) }, headers: { origin: enclave.url } })).status).toBe(202);
    const asked = controlEvents(enclave).filter((event) => event.action === 'user.magic_link.request');
    expect(JSON.parse(asked.at(-1)!.details)).toEqual({ sent: false });
    expect(enclave.server.platform.controlDb.prepare('SELECT count(*) AS n FROM "session" WHERE "userId" = ?').get(created.id)).toEqual({ n: 0 });

    expect((await scim('GET', `/Users/${created.id}`, tokenA)).status).toBe(404);
    const disabled = controlEvents(enclave).find((event) => event.action === 'user.disable' && event.target_id === created.id)!;
    expect(disabled.actor_type).toBe('scim_token');
    expect(JSON.parse(disabled.details)).toMatchObject({ reason: 'scim_delete', sessionsEnded: 2, linksInvalidated: 1 });
    const actions = workspaceEvents(enclave, workspaceA).filter((event) => event.target_id === created.id).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['scim.user.create', 'member.add', 'member.remove', 'scim.user.delete']));

    // Provisioning the same person again brings back the account this workspace manages.
    const again = await provision(tokenA, address);
    expect(again.id).toBe(created.id);
    expect(again[ENCLAVE]).toEqual({ role: 'viewer', managed: true });
    expect((await session(await signInByLink(address))).status).toBe(200);
  });

  it('[IDN-06] PATCH active=false ends every session at once and refuses sign-in like a wrong password; active=true lets them sign in again, old sessions stay ended', async () => {
    const address = email('grace');
    const password = `scim-initial-${Math.random().toString(36).slice(2)}`;
    secrets.push(password);
    const user = await provision(tokenA, address, { password, roles: [{ value: 'viewer', primary: true }] });
    const signedIn = await passwordSignIn(address, password);
    expect(signedIn.status).toBe(200);
    const cookie = cookiePair(signedIn.headers.getSetCookie()[0]!);
    expect((await enclave.request('GET', `/api/w/${workspaceA}/profile`, { cookie })).status).toBe(200);

    // Entra ID sends booleans as strings.
    const off = await scim('PATCH', `/Users/${user.id}`, tokenA, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(off.status).toBe(200);
    expect(((await off.json()) as ScimUser).active).toBe(false);
    expect((await session(cookie)).status).toBe(401);

    const refused = await passwordSignIn(address, password);
    const wrong = await passwordSignIn(address, `${password}-wrong`);
    expect(refused.status).toBe(401);
    expect(wrong.status).toBe(401);
    const errorOf = async (response: Response) => {
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      return { code: error.code, message: error.message };
    };
    expect(await errorOf(refused)).toEqual(await errorOf(wrong));
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect(enclave.server.platform.controlDb.prepare('SELECT count(*) AS n FROM "session" WHERE "userId" = ?').get(user.id)).toEqual({ n: 0 });

    const on = await scim('PATCH', `/Users/${user.id}`, tokenA, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(on.status).toBe(200);
    expect((await session(cookie)).status).toBe(401);
    const back = await passwordSignIn(address, password);
    expect(back.status).toBe(200);
    const newCookie = cookiePair(back.headers.getSetCookie()[0]!);
    expect((await enclave.request('GET', `/api/w/${workspaceA}/profile`, { cookie: newCookie })).status).toBe(200);

    const control = controlEvents(enclave).filter((event) => event.target_id === user.id).map((event) => event.action);
    expect(control).toEqual(expect.arrayContaining(['user.create', 'user.disable', 'user.enable']));
    const workspace = workspaceEvents(enclave, workspaceA).filter((event) => event.target_id === user.id).map((event) => event.action);
    expect(workspace).toEqual(expect.arrayContaining(['scim.user.deactivate', 'scim.user.reactivate']));
  });

  it('[IDN-06] a person with an account of their own is only added to and removed from the workspace, never disabled', async () => {
    const person = await enclave.createUser('Independent');
    secrets.push(person.password);
    const cookie = await enclave.signIn(person);
    const linked = await provision(tokenA, person.email, { [ENCLAVE]: { role: 'admin' } });
    expect(linked.id).toBe(person.id);
    expect(linked[ENCLAVE]).toEqual({ role: 'admin', managed: false });
    expect((await enclave.request('GET', `/api/w/${workspaceA}/api-keys`, { cookie })).status).toBe(200);

    const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] };
    expect((await scim('PATCH', `/Users/${person.id}`, tokenA, patch)).status).toBe(200);
    expect((await session(cookie)).status).toBe(200);
    expect((await enclave.request('GET', `/api/w/${workspaceA}/profile`, { cookie })).status).toBe(404);

    expect((await scim('DELETE', `/Users/${person.id}`, tokenA)).status).toBe(204);
    expect((await session(cookie)).status).toBe(200);
    expect((await passwordSignIn(person.email, person.password)).status).toBe(200);
    expect(controlEvents(enclave).some((event) => event.action === 'user.disable' && event.target_id === person.id)).toBe(false);
  });

  it('[IDN-06] an account nobody verified is claimed by the directory: the squatter’s password stops working', async () => {
    const address = email('squatted');
    const squatterPassword = `squatter-${Math.random().toString(36).slice(2)}`;
    secrets.push(squatterPassword);
    const signUp = await enclave.request('POST', '/api/auth/sign-up/email', {
      body: { email: address, password: squatterPassword, name: 'Squatter', altcha: await solvedChallenge(enclave.url) },
      headers: { origin: enclave.url },
    });
    expect(signUp.status).toBeLessThan(300);
    // The verification mail sign-up sent to the address; its link dies with the claim.
    const verification = linkIn(await smtp.next(address), enclave.url, '/api/auth/verify-email');
    secrets.push(new URL(verification).searchParams.get('token')!);
    const claimed = await provision(tokenA, address);
    expect(claimed[ENCLAVE]).toEqual({ role: 'viewer', managed: true });
    expect((await passwordSignIn(address, squatterPassword)).status).toBe(401);
    expect(enclave.server.platform.identity.user(claimed.id)?.emailVerified).toBe(true);
    expect(controlEvents(enclave).some((event) => event.action === 'user.claim' && event.target_id === claimed.id)).toBe(true);
    expect((await follow(verification)).status).toBe(400);
    expect((await session(await signInByLink(address))).status).toBe(200);
  });

  it('[IDN-06] a workspace owner is out of SCIM’s reach', async () => {
    const owner = (await (await enclave.request('GET', '/api/auth/session', { cookie: ownerCookie })).json()) as { user: { email: string } };
    await scimError(await scim('POST', '/Users', tokenA, userBody(owner.user.email)), 403);
    await scimError(await scim('POST', '/Users', tokenA, userBody(email('boss'), { [ENCLAVE]: { role: 'owner' } })), 400, 'invalidValue');
    expect((await session(ownerCookie)).status).toBe(200);
  });

  it('[IDN-06] a SCIM token of workspace B cannot read or change the users of workspace A', async () => {
    const address = email('alpha-only');
    const user = await provision(tokenA, address);
    const cookie = await signInByLink(address);
    const asB = async (method: string, body?: unknown) => scimError(await scim(method, `/Users/${user.id}`, tokenB, body), 404);
    await asB('GET');
    await asB('PUT', userBody(address, { active: false }));
    await asB('PATCH', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    await asB('DELETE');
    const filtered = (await (await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${address}"`)}`, tokenB)).json()) as ScimList;
    expect(filtered.totalResults).toBe(0);
    const all = (await (await scim('GET', '/Users', tokenB)).json()) as ScimList;
    expect(all.Resources.map((resource) => resource.id)).not.toContain(user.id);
    // Creating the same address in B only links the account there; A's record and the person's session are untouched.
    const inB = await provision(tokenB, address);
    expect(inB[ENCLAVE].managed).toBe(false);
    expect((await scim('DELETE', `/Users/${inB.id}`, tokenB)).status).toBe(204);
    expect((await session(cookie)).status).toBe(200);
    expect(((await (await scim('GET', `/Users/${user.id}`, tokenA)).json()) as ScimUser).active).toBe(true);
  });

  it('[IDN-06] a revoked SCIM token gets 401 at once', async () => {
    const { id, token } = await newScimToken(workspaceA, 'to revoke');
    expect((await scim('GET', '/Users', token)).status).toBe(200);
    expect((await enclave.request('DELETE', `/api/w/${workspaceA}/scim/tokens/${id}`, { cookie: ownerCookie })).status).toBe(204);
    const refused = await scim('GET', '/Users', token);
    await scimError(refused, 401);
    expect(workspaceEvents(enclave, workspaceA).some((event) => event.action === 'scim_token.revoke' && event.target_id === id)).toBe(true);
  });

  it('[IDN-06] malformed bodies, filters and patches get SCIM 400s and change nothing', async () => {
    const address = email('steady');
    const user = await provision(tokenA, address, { displayName: 'Steady' });
    const count = async () => ((await (await scim('GET', '/Users?count=0', tokenA)).json()) as ScimList).totalResults;
    const before = await count();

    const raw = (body: string) => enclave.request('POST', '/scim/v2/Users', { token: tokenA, body, headers: { 'content-type': 'application/scim+json' } });
    await scimError(await raw('{"schemas": ['), 400, 'invalidSyntax');
    await scimError(await scim('POST', '/Users', tokenA, { ...userBody(email('x')), favouriteColour: 'blue' }), 400, 'invalidSyntax');
    await scimError(await scim('POST', '/Users', tokenA, { ...userBody(email('x')), schemas: ['urn:example:not-a-user'] }), 400, 'invalidSyntax');
    await scimError(await scim('POST', '/Users', tokenA, userBody('not-an-email')), 400, 'invalidValue');
    await scimError(await scim('POST', '/Users', tokenA, userBody(email('x'), { roles: [{ value: 'emperor' }] })), 400, 'invalidValue');
    await scimError(await scim('POST', '/Users', tokenA, userBody(address)), 409, 'uniqueness');
    for (const filter of ['userName sw "a"', 'emails.value eq "x@people.example"', 'userName eq x', 'userName eq "a" or userName eq "b"']) {
      await scimError(await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`, tokenA), 400, 'invalidFilter');
    }
    await scimError(await scim('GET', '/Users?startIndex=first', tokenA), 400, 'invalidSyntax');
    await scimError(await scim('GET', '/Users?sortBy=userName', tokenA), 400, 'invalidSyntax');

    const patch = (operations: unknown[]) => scim('PATCH', `/Users/${user.id}`, tokenA, { schemas: [PATCH_OP], Operations: operations });
    // The first operation is fine; the second is not, so neither applies.
    await scimError(await patch([{ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'replace', path: 'password', value: 'x' }]), 400, 'invalidPath');
    await scimError(await patch([{ op: 'replace', path: 'active', value: 'maybe' }]), 400, 'invalidValue');
    await scimError(await patch([{ op: 'replace', path: 'userName', value: email('takeover') }]), 400, 'mutability');
    await scimError(await patch([{ op: 'remove' }]), 400, 'noTarget');
    await scimError(await patch([{ op: 'move', path: 'active', value: false }]), 400, 'invalidSyntax');
    await scimError(await scim('PATCH', `/Users/${user.id}`, tokenA, { Operations: [{ op: 'replace', path: 'active', value: false }] }), 400, 'invalidSyntax');
    await scimError(await scim('PUT', `/Users/${user.id}`, tokenA, userBody(email('other'))), 400, 'mutability');
    await scimError(await scim('GET', '/Users/no-such-user', tokenA), 404);
    await scimError(await scim('GET', '/Groups', tokenA), 404);

    const after = (await (await scim('GET', `/Users/${user.id}`, tokenA)).json()) as ScimUser;
    expect(after).toMatchObject({ displayName: 'Steady', active: true, userName: address });
    expect(await count()).toBe(before);

    // A good PATCH and PUT do apply.
    const renamed = await patch([{ op: 'replace', path: 'name.givenName', value: 'Ada' }, { op: 'add', path: 'displayName', value: 'Ada L.' }]);
    expect(renamed.status).toBe(200);
    expect((await renamed.json()) as ScimUser).toMatchObject({ displayName: 'Ada L.', name: { givenName: 'Ada', familyName: 'Hopper' } });
    const replaced = await scim('PUT', `/Users/${user.id}`, tokenA, userBody(address, { displayName: 'Ada Lovelace', [ENCLAVE]: { role: 'builder' } }));
    expect(replaced.status).toBe(200);
    expect((await replaced.json()) as ScimUser).toMatchObject({ displayName: 'Ada Lovelace', roles: [{ value: 'builder' }] });
    expect(enclave.server.platform.identity.user(user.id)?.name).toBe('Ada Lovelace');
  });

  it('[IDN-06] random SCIM bodies, patches and filters never yield a 5xx and change nothing', async () => {
    const target = await provision(tokenA, email('fuzzed'));
    const rows = () => JSON.stringify(enclave.server.platform.controlDb.prepare('SELECT * FROM scim_user ORDER BY user_id').all());
    const before = rows();
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('owner', 'False', "' OR 1=1 --", '../../etc/passwd', '\u0000'));
    const attribute = fc.constantFrom('active', 'userName', 'displayName', 'name', 'name.givenName', 'roles', `${ENCLAVE}:role`, 'emails[type eq "work"].value', 'password', 'id', 'meta');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST /Users', 'PUT', 'PATCH', 'GET /Users'),
        fc.dictionary(attribute, value, { maxKeys: 4 }),
        fc.array(fc.record({ op: fc.constantFrom('add', 'replace', 'remove', 'Replace', 'copy'), path: fc.option(attribute, { nil: undefined }), value }), { maxLength: 3 }),
        fc.oneof(fc.string(), fc.constantFrom('userName eq', 'userName eq "', 'userName eq "\\"', 'active eq true', 'userName pr')),
        async (call, attributes, operations, filter) => {
          // Bodies that could be valid SCIM are kept from mutating: every one carries an attribute this server refuses.
          const response =
            call === 'POST /Users' ? await scim('POST', '/Users', tokenA, { schemas: [USER], ...attributes, nickName: 42 })
            : call === 'PUT' ? await scim('PUT', `/Users/${target.id}`, tokenA, { schemas: [USER], userName: target.userName, ...attributes, title: 42 })
            : call === 'PATCH' ? await scim('PATCH', `/Users/${target.id}`, tokenA, { schemas: [PATCH_OP], Operations: [...operations, { op: 'replace', path: 'nickName', value: 'x' }] })
            : await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`, tokenA);
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) {
            const body = (await response.json()) as { schemas: string[] };
            expect(body.schemas).toEqual([ERROR]);
          }
        },
      ),
      { numRuns: 200 },
    );
    expect(rows()).toBe(before);
  });

  it('[IDN-06] GET /Users pages with startIndex and count', async () => {
    for (let index = 0; index < 3; index++) await provision(tokenB, email(`page${index}`));
    const all = (await (await scim('GET', '/Users', tokenB)).json()) as ScimList;
    expect(all.totalResults).toBeGreaterThanOrEqual(3);
    const page = (await (await scim('GET', '/Users?startIndex=2&count=1', tokenB)).json()) as ScimList;
    expect(page).toMatchObject({ totalResults: all.totalResults, startIndex: 2, itemsPerPage: 1 });
    expect(page.Resources[0]!.id).toBe(all.Resources[1]!.id);
    const past = (await (await scim('GET', `/Users?startIndex=${all.totalResults + 1}`, tokenB)).json()) as ScimList;
    expect(past.Resources).toEqual([]);
  });

  it('[IDN-06] SCIM tokens open only /scim/v2, and API keys and session cookies do not open it', async () => {
    await scimError(await scim('GET', '/Users', undefined), 401);
    const ownerKey = await enclave.addKey(workspaceA, 'owner');
    secrets.push(ownerKey);
    await scimError(await scim('GET', '/Users', ownerKey), 401);
    await scimError(await enclave.request('GET', '/scim/v2/Users', { cookie: ownerCookie }), 401);
    await scimError(await enclave.request('POST', '/scim/v2/Users', { cookie: ownerCookie, body: userBody(email('cookie')) }), 401);

    expect((await enclave.request('GET', `/api/w/${workspaceA}/profile`, { token: tokenA })).status).toBe(404);
    expect((await enclave.request('GET', `/api/w/${workspaceA}/members`, { token: tokenA })).status).toBe(404);
    expect((await enclave.request('POST', `/api/w/${workspaceA}/scim/tokens`, { token: tokenA, body: { name: 'self' } })).status).toBe(404);
    expect((await enclave.request('GET', '/api/workspaces', { token: tokenA })).status).toBe(403);
    expect((await enclave.request('GET', '/api/auth/session', { token: tokenA })).status).toBeGreaterThanOrEqual(400);
  });

  it('[IDN-06] no SCIM token, password or link token appears in the server logs', () => {
    expect(secrets.length).toBeGreaterThan(5);
    const logs = enclave.logs.join('\n');
    expect(logs).toContain('/scim/v2/Users');
    for (const secret of secrets) expect(logs).not.toContain(secret);
    // Nothing above was an unhandled error.
    expect(enclave.logs.filter((line) => line.includes('"level":50'))).toEqual([]);
  });
});

describe('SCIM rate limit', () => {
  let enclave: TestServer;
  afterAll(() => enclave.close());

  it('[IDN-06] each SCIM token has its own request budget: past it, a SCIM 429 with Retry-After', async () => {
    enclave = await startTestServer({ rateLimit: { perIpPerMinute: 1_000, perActorPerMinute: 3 } });
    const workspace = await enclave.createWorkspace('Limited');
    const operator = { actor: { type: 'operator' as const, id: 'test' } };
    const first = (await enclave.server.platform.scim.tokens.create(workspace.id, { name: 'first' }, operator)).token;
    const second = (await enclave.server.platform.scim.tokens.create(workspace.id, { name: 'second' }, operator)).token;
    const list = (token: string) => enclave.request('GET', '/scim/v2/Users', { token });
    for (let attempt = 0; attempt < 3; attempt++) expect((await list(first)).status).toBe(200);
    const limited = await list(first);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(((await limited.json()) as { schemas: string[] }).schemas).toEqual([ERROR]);
    expect((await list(second)).status).toBe(200);
  });
});
