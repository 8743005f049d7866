import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, type Permission } from '../../src/access/permissions.ts';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { controlEvents, workspaceEvents } from './audit.ts';

interface Person extends TestUser {
  cookie: string;
}

describe('workspaces and their members, for people signed in with a session', () => {
  let enclave: TestServer;
  let owner: Person;
  let workspaceId: string;

  const person = async (name: string): Promise<Person> => {
    const user = await enclave.createUser(name);
    return { ...user, cookie: await enclave.signIn(user) };
  };
  const as = (who: Person, method: string, path: string, body?: unknown) =>
    enclave.request(method, `/api/w/${workspaceId}${path}`, { cookie: who.cookie, body });
  const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1000 } });
    owner = await person('Olive Owner');
    const created = await enclave.request('POST', '/api/workspaces', { cookie: owner.cookie, body: { name: 'People Co' } });
    expect(created.status).toBe(201);
    workspaceId = ((await created.json()) as { id: string }).id;
  });
  afterAll(() => enclave.close());

  it('[ACC-01] creating a workspace makes its encrypted database and key seed, the creator its owner, and is audited', async () => {
    expect(existsSync(join(enclave.dataDir, 'workspaces', workspaceId, 'workspace.db'))).toBe(true);
    expect(enclave.server.platform.workspaces.seedOf(workspaceId)).toHaveLength(32);
    const mine = (await (await enclave.request('GET', '/api/workspaces', { cookie: owner.cookie })).json()) as { workspaces: { id: string; role: string }[] };
    expect(mine.workspaces).toEqual([expect.objectContaining({ id: workspaceId, name: 'People Co', role: 'owner' })]);
    expect((await as(owner, 'GET', '/profile')).status).toBe(200);
    expect(controlEvents(enclave).find((event) => event.action === 'workspace.create' && event.target_id === workspaceId)).toMatchObject({ actor_type: 'user', actor_id: owner.id });
    const events = workspaceEvents(enclave, workspaceId);
    expect(events.find((event) => event.action === 'member.add')).toMatchObject({ actor_type: 'user', actor_id: owner.id, target_id: owner.id });
  });

  it('[ACC-01] a person lists only their own workspaces; keys and anonymous callers cannot use these routes', async () => {
    const stranger = await person('Stan Stranger');
    expect(await (await enclave.request('GET', '/api/workspaces', { cookie: stranger.cookie })).json()).toEqual({ workspaces: [] });
    expect((await enclave.request('GET', '/api/workspaces')).status).toBe(401);
    expect((await enclave.request('POST', '/api/workspaces', { body: { name: 'Anonymous Co' } })).status).toBe(401);
    const keyed = await enclave.createWorkspace('Keyed');
    expect((await enclave.request('POST', '/api/workspaces', { token: keyed.token, body: { name: 'By Key' } })).status).toBe(403);
    for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'Ok', owner: stranger.id }]) {
      const response = await enclave.request('POST', '/api/workspaces', { cookie: stranger.cookie, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect(await (await enclave.request('GET', '/api/workspaces', { cookie: stranger.cookie })).json()).toEqual({ workspaces: [] });
  });

  it('[ACC-01] each member role holds exactly the permissions the catalogue gives it', async () => {
    const routes: [Permission, string, string, unknown?][] = [
      ['workspace:read', 'GET', '/profile'],
      ['workspace:update', 'PATCH', '/profile', { description: 'matrix' }],
      ['apiKeys:read', 'GET', '/api-keys'],
      ['audit:read', 'GET', '/audit-events'],
      ['members:read', 'GET', '/members'],
    ];
    for (const role of ROLES) {
      const member = await person(`Role ${role}`);
      await enclave.addMember(workspaceId, member, role);
      for (const [permission, method, path, body] of routes) {
        const allowed = (PERMISSIONS[permission] as readonly string[]).includes(role);
        const response = await as(member, method, path, body);
        expect(response.status, `${role} ${method} ${path}`).toBe(allowed ? 200 : 403);
      }
    }
  });

  it('[ACC-06] a removed member fails at once on their open session', async () => {
    const member = await person('Rex Removed');
    await enclave.addMember(workspaceId, member, 'builder');
    expect((await as(member, 'GET', '/profile')).status).toBe(200);
    const removed = await as(owner, 'DELETE', `/members/${member.id}`);
    expect(removed.status).toBe(204);
    const after = await as(member, 'GET', '/profile');
    expect(after.status).toBe(404);
    expect(await errorCode(after)).toBe('workspace_not_found');
    expect(await (await enclave.request('GET', '/api/workspaces', { cookie: member.cookie })).json()).toEqual({ workspaces: [] });
    expect(workspaceEvents(enclave, workspaceId).find((event) => event.action === 'member.remove' && event.target_id === member.id)).toMatchObject({
      actor_type: 'user',
      actor_id: owner.id,
    });
  });

  it('[ACC-06] an admin lowered to viewer is refused on the very next request to a route admins may use', async () => {
    const admin = await person('Ann Admin');
    await enclave.addMember(workspaceId, admin, 'admin');
    expect((await as(admin, 'GET', '/api-keys')).status).toBe(200);
    expect((await as(admin, 'PATCH', '/profile', { description: 'by admin' })).status).toBe(200);
    const lowered = await as(owner, 'PATCH', `/members/${admin.id}`, { role: 'viewer' });
    expect(lowered.status).toBe(200);
    expect(await lowered.json()).toMatchObject({ userId: admin.id, email: admin.email, role: 'viewer' });
    expect((await as(admin, 'GET', '/api-keys')).status).toBe(403);
    expect((await as(admin, 'PATCH', '/profile', { description: 'after demotion' })).status).toBe(403);
    expect((await as(admin, 'GET', '/profile')).status).toBe(200);
    const event = workspaceEvents(enclave, workspaceId).find((candidate) => candidate.action === 'member.role_change' && candidate.target_id === admin.id);
    expect(event).toMatchObject({ actor_type: 'user', actor_id: owner.id });
    expect(JSON.parse(event!.details)).toMatchObject({ from: 'admin', to: 'viewer' });
  });

  it('[ACC-01] only an owner makes or touches owners, and the last owner can be neither removed nor demoted', async () => {
    const founder = await person('Fay Founder');
    const created = await enclave.request('POST', '/api/workspaces', { cookie: founder.cookie, body: { name: 'Owners Co' } });
    const ownersCo = ((await created.json()) as { id: string }).id;
    const call = (who: Person, method: string, path: string, body?: unknown) =>
      enclave.request(method, `/api/w/${ownersCo}${path}`, { cookie: who.cookie, body });
    const admin = await person('Ada Admin');
    await enclave.addMember(ownersCo, admin, 'admin');
    const target = await person('Tom Target');
    await enclave.addMember(ownersCo, target, 'viewer');
    expect(await errorCode(await call(admin, 'PATCH', `/members/${target.id}`, { role: 'owner' }))).toBe('owner_required');
    expect(await errorCode(await call(admin, 'PATCH', `/members/${founder.id}`, { role: 'viewer' }))).toBe('owner_required');
    expect(await errorCode(await call(admin, 'DELETE', `/members/${founder.id}`))).toBe('owner_required');
    expect((await call(admin, 'PATCH', `/members/${target.id}`, { role: 'builder' })).status).toBe(200);

    const lastOwner = await call(founder, 'DELETE', `/members/${founder.id}`);
    expect(lastOwner.status).toBe(409);
    expect(await errorCode(lastOwner)).toBe('last_owner');
    expect(await errorCode(await call(founder, 'PATCH', `/members/${founder.id}`, { role: 'admin' }))).toBe('last_owner');
    expect((await call(founder, 'GET', '/api-keys')).status).toBe(200);

    expect((await call(founder, 'PATCH', `/members/${target.id}`, { role: 'owner' })).status).toBe(200);
    expect((await call(founder, 'PATCH', `/members/${founder.id}`, { role: 'admin' })).status).toBe(200);
    expect((await call(founder, 'GET', '/api-keys')).status).toBe(200);
    expect(await errorCode(await call(founder, 'DELETE', `/members/${target.id}`))).toBe('owner_required');
  });

  it('[WEB-04] a cross-origin request carrying a valid session cookie is refused and changes nothing', async () => {
    const member = await person('Cy Crossorigin');
    await enclave.addMember(workspaceId, member, 'viewer');
    const attacks: [string, string, unknown][] = [
      ['PATCH', `/api/w/${workspaceId}/members/${member.id}`, { role: 'owner' }],
      ['DELETE', `/api/w/${workspaceId}/members/${member.id}`, undefined],
      ['POST', '/api/workspaces', { name: 'Planted' }],
      ['POST', '/api/auth/sessions/revoke-others', undefined],
    ];
    for (const [method, path, body] of attacks) {
      const response = await enclave.request(method, path, { cookie: owner.cookie, body, headers: { origin: 'https://attacker.example' } });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await errorCode(response)).toBe('cross_origin_refused');
    }
    const noOrigin = await enclave.request('PATCH', `/api/w/${workspaceId}/members/${member.id}`, { body: { role: 'owner' }, headers: { cookie: owner.cookie } });
    expect(await errorCode(noOrigin)).toBe('origin_required');
    expect(enclave.server.platform.members.list(workspaceId).find((candidate) => candidate.userId === member.id)?.role).toBe('viewer');
    const mine = (await (await enclave.request('GET', '/api/workspaces', { cookie: owner.cookie })).json()) as { workspaces: { name: string }[] };
    expect(mine.workspaces.map((workspace) => workspace.name)).not.toContain('Planted');
  });

  it('[WEB-02] bad member changes get a specific 4xx and change nothing', async () => {
    const member = await person('Val Viewer');
    await enclave.addMember(workspaceId, member, 'viewer');
    const cases: [string, string, unknown, number][] = [
      ['PATCH', `/members/${member.id}`, { role: 'superuser' }, 400],
      ['PATCH', `/members/${member.id}`, { role: 'admin', workspaceId: 'ws_x' }, 400],
      ['PATCH', `/members/${member.id}`, {}, 400],
      ['PATCH', '/members/nobody-with-this-id', { role: 'admin' }, 404],
      ['DELETE', '/members/nobody-with-this-id', undefined, 404],
      ['DELETE', '/members/..%2F..', undefined, 400],
    ];
    for (const [method, path, body, status] of cases) {
      expect((await as(owner, method, path, body)).status, `${method} ${path}`).toBe(status);
    }
    expect((await as(member, 'PATCH', `/members/${member.id}`, { role: 'admin' })).status).toBe(403);
    const members = (await (await as(owner, 'GET', '/members')).json()) as { members: { userId: string; role: string }[] };
    expect(members.members.find((candidate) => candidate.userId === member.id)?.role).toBe('viewer');
  });
});

describe('a signed-in member of workspace A never reaches workspace B', () => {
  let enclave: TestServer;
  let alice: Person;
  let a: string;
  let b: string;
  let bKeyId: string;
  let bOwnerId: string;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1000 } });
    const aliceUser = await enclave.createUser('Alice');
    alice = { ...aliceUser, cookie: await enclave.signIn(aliceUser) };
    a = ((await (await enclave.request('POST', '/api/workspaces', { cookie: alice.cookie, body: { name: 'Alpha' } })).json()) as { id: string }).id;
    const bob = await enclave.createUser('Bob');
    const bobCookie = await enclave.signIn(bob);
    b = ((await (await enclave.request('POST', '/api/workspaces', { cookie: bobCookie, body: { name: 'Beta' } })).json()) as { id: string }).id;
    bOwnerId = bob.id;
    await enclave.request('PATCH', `/api/w/${b}/profile`, { cookie: bobCookie, body: { description: 'beta secret plans' } });
    const key = await enclave.request('POST', `/api/w/${b}/api-keys`, { cookie: bobCookie, body: { name: 'beta key', role: 'viewer' } });
    bKeyId = ((await key.json()) as { apiKey: { id: string } }).apiKey.id;
  });
  afterAll(() => enclave.close());

  it('[ACC-03] every workspace route answers 404 for a workspace the person is not a member of, and B is unchanged', async () => {
    const doc = (await (await enclave.request('GET', '/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const bodies: Record<string, unknown> = {
      'PATCH /profile': { description: 'overwritten by Alice' },
      'POST /api-keys': { name: 'backdoor', role: 'owner' },
      'PATCH /members/{userId}': { role: 'viewer' },
    };
    const ids: Record<string, string> = { keyId: bKeyId, userId: bOwnerId };
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/w/{workspaceId}'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => [method.toUpperCase(), path.slice('/api/w/{workspaceId}'.length)] as const));
    expect(routes.length).toBeGreaterThanOrEqual(11);
    for (const [method, template] of routes) {
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? name);
      const response = await enclave.request(method, `/api/w/${b}${path}`, { cookie: alice.cookie, body: bodies[`${method} ${template}`] });
      expect(response.status, `${method} ${template}`).toBe(404);
      const text = await response.text();
      expect(JSON.parse(text).error.code).toBe('workspace_not_found');
      expect(text).not.toContain('beta secret plans');
      expect(text).not.toContain('Beta');
    }
    const platform = enclave.server.platform;
    expect(platform.workspaces.profile(b).description).toBe('beta secret plans');
    expect(platform.apiKeys.list(b).every((key) => key.revokedAt === null && key.name !== 'backdoor')).toBe(true);
    expect(platform.members.list(b)).toEqual([expect.objectContaining({ userId: bOwnerId, role: 'owner' })]);
  });

  it("[ACC-03] a workspace id in the body or query never reaches B, and A's member list holds only A's people", async () => {
    expect((await enclave.request('PATCH', `/api/w/${a}/profile?workspaceId=${b}`, { cookie: alice.cookie, body: { description: 'alpha', workspaceId: b } })).status).toBe(400);
    const members = (await (await enclave.request('GET', `/api/w/${a}/members`, { cookie: alice.cookie })).json()) as { members: { userId: string }[] };
    expect(members.members.map((member) => member.userId)).toEqual([alice.id]);
    expect((await enclave.request('DELETE', `/api/w/${a}/members/${bOwnerId}`, { cookie: alice.cookie })).status).toBe(404);
    expect(enclave.server.platform.members.list(b)).toHaveLength(1);
  });
});
