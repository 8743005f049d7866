import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { linkIn, startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.ts';
import { controlEvents, workspaceEvents } from './audit.ts';

interface Person extends TestUser {
  cookie: string;
}

const SHORT_TTL_SECONDS = 1;

describe('workspace invitations by email, over a real SMTP server', () => {
  let smtp: SmtpCapture;
  let enclave: TestServer;
  /** A second server whose invitations expire within a second. */
  let brief: TestServer;
  let owner: Person;
  let workspaceId: string;
  const tokens: string[] = [];

  const person = async (server: TestServer, name: string): Promise<Person> => {
    const user = await server.createUser(name);
    return { ...user, cookie: await server.signIn(user) };
  };
  const as = (who: Person, method: string, path: string, body?: unknown, server = enclave, workspace = workspaceId) =>
    server.request(method, `/api/w/${workspace}${path}`, { cookie: who.cookie, body });
  const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;
  const accept = (who: Person | undefined, token: string, server = enclave) =>
    server.request('POST', '/api/invitations/accept', who ? { cookie: who.cookie, body: { token } } : { body: { token }, headers: { origin: server.url } });
  async function mailedToken(server: TestServer, email: string): Promise<string> {
    const link = linkIn(await smtp.next(email), server.url, '/invitations/accept');
    const token = new URL(link).searchParams.get('token')!;
    tokens.push(token);
    return token;
  }
  async function invite(server: TestServer, who: Person, workspace: string, email: string, role: string): Promise<{ id: string; token: string }> {
    const response = await as(who, 'POST', '/invitations', { email, role }, server, workspace);
    expect(response.status, await response.clone().text()).toBe(201);
    const { id } = (await response.json()) as { id: string };
    return { id, token: await mailedToken(server, email.toLowerCase()) };
  }

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    const flags = (invitationSeconds?: number) => ({
      rateLimit: { signInPerIpPerMinute: 1000 },
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'enclave@mail.example' },
      ...(invitationSeconds ? { links: { invitationSeconds } } : {}),
    });
    enclave = await startTestServer(flags());
    brief = await startTestServer(flags(SHORT_TTL_SECONDS));
    owner = await person(enclave, 'Olive Owner');
    const created = await enclave.request('POST', '/api/workspaces', { cookie: owner.cookie, body: { name: 'Invite Co' } });
    expect(created.status).toBe(201);
    workspaceId = ((await created.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await enclave?.close();
    await brief?.close();
    await smtp?.close();
  });

  it('[ACC-01] an admin can invite a builder but not an owner; a viewer cannot invite', async () => {
    const admin = await person(enclave, 'Ada Admin');
    await enclave.addMember(workspaceId, admin, 'admin');
    const viewer = await person(enclave, 'Vic Viewer');
    await enclave.addMember(workspaceId, viewer, 'viewer');

    const created = await as(admin, 'POST', '/invitations', { email: 'Builder.Bee@People.Example', role: 'builder' });
    expect(created.status).toBe(201);
    const invitation = (await created.json()) as { id: string; email: string; role: string; expiresAt: string; createdAt: string };
    expect(Object.keys(invitation).sort()).toEqual(['createdAt', 'email', 'expiresAt', 'id', 'role']);
    expect(invitation).toMatchObject({ id: expect.stringMatching(/^inv_[0-9a-f]{32}$/), email: 'builder.bee@people.example', role: 'builder' });
    // Seven days by default.
    const lifetime = Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt);
    expect(lifetime).toBe(7 * 86_400_000);
    await mailedToken(enclave, 'builder.bee@people.example');

    const ownerByAdmin = await as(admin, 'POST', '/invitations', { email: 'would-be-owner@people.example', role: 'owner' });
    expect(ownerByAdmin.status).toBe(403);
    expect(await errorCode(ownerByAdmin)).toBe('owner_required');

    const byViewer = await as(viewer, 'POST', '/invitations', { email: 'friend@people.example', role: 'viewer' });
    expect(byViewer.status).toBe(403);
    expect(await errorCode(byViewer)).toBe('forbidden');
    expect((await as(viewer, 'GET', '/invitations')).status).toBe(403);
    expect((await as(viewer, 'DELETE', `/invitations/${invitation.id}`)).status).toBe(403);

    // An owner may invite an owner; an admin may not revoke that invitation, the owner may.
    const ownerInvite = await invite(enclave, owner, workspaceId, 'co-owner@people.example', 'owner');
    expect(await errorCode(await as(admin, 'DELETE', `/invitations/${ownerInvite.id}`))).toBe('owner_required');
    expect((await as(owner, 'DELETE', `/invitations/${ownerInvite.id}`)).status).toBe(204);

    const listed = (await (await as(admin, 'GET', '/invitations')).json()) as { invitations: Record<string, unknown>[] };
    expect(listed.invitations).toEqual([{ id: invitation.id, email: 'builder.bee@people.example', role: 'builder', createdAt: invitation.createdAt, expiresAt: invitation.expiresAt }]);
    // Nothing was mailed for the refused invitations.
    await sleep(200);
    expect(smtp.mails.filter((mail) => mail.to.includes('would-be-owner@people.example') || mail.to.includes('friend@people.example'))).toEqual([]);
    const actions = workspaceEvents(enclave, workspaceId).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['invitation.create', 'invitation.revoke']));
    expect(workspaceEvents(enclave, workspaceId).find((event) => event.action === 'invitation.create' && event.target_id === invitation.id)).toMatchObject({
      actor_type: 'user',
      actor_id: admin.id,
      target_type: 'invitation',
    });
  });

  it('[ACC-06] an invitation captured from mail makes the invitee a member with the invited role; reusing it fails; an expired invitation fails; a revoked one fails; a person with another email cannot use it', async () => {
    const invitee = await person(enclave, 'Ivy Invitee');
    const other = await person(enclave, 'Oscar Other');
    // Invited with different capitals than the account: addresses match case-insensitively.
    const { id, token } = await invite(enclave, owner, workspaceId, invitee.email.toUpperCase(), 'builder');

    // Not signed in: refused before anything is looked up; the invitation stays usable.
    const anonymous = await accept(undefined, token);
    expect(anonymous.status).toBe(401);
    // Someone else with the token cannot use it, and their try does not use it up.
    const mismatched = await accept(other, token);
    expect(mismatched.status).toBe(400);
    expect(await errorCode(mismatched)).toBe('invitation_invalid');
    expect((await as(other, 'GET', '/profile')).status).toBe(404);
    // No workspace before accepting.
    expect((await as(invitee, 'GET', '/profile')).status).toBe(404);

    const accepted = await accept(invitee, token);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ id: workspaceId, name: 'Invite Co', role: 'builder' });
    expect((await as(invitee, 'GET', '/profile')).status).toBe(200);
    const members = (await (await as(owner, 'GET', '/members')).json()) as { members: { userId: string; role: string }[] };
    expect(members.members.find((member) => member.userId === invitee.id)?.role).toBe('builder');
    // A builder holds no members:manage.
    expect((await as(invitee, 'GET', '/invitations')).status).toBe(403);
    const pending = (await (await as(owner, 'GET', '/invitations')).json()) as { invitations: { id: string }[] };
    expect(pending.invitations.map((invitation) => invitation.id)).not.toContain(id);

    const reused = await accept(invitee, token);
    expect(reused.status).toBe(400);
    const reusedBody = (await reused.json()) as { error: { code: string; message: string } };
    expect(reusedBody.error.code).toBe('invitation_invalid');
    const byOther = await accept(other, token);
    expect(byOther.status).toBe(400);
    // One answer for every failure: the same code and message whatever the reason.
    expect(((await byOther.json()) as { error: { message: string } }).error.message).toBe(reusedBody.error.message);

    // Revoked.
    const later = await person(enclave, 'Lou Later');
    const revoked = await invite(enclave, owner, workspaceId, later.email, 'viewer');
    expect((await as(owner, 'DELETE', `/invitations/${revoked.id}`)).status).toBe(204);
    expect((await as(owner, 'DELETE', `/invitations/${revoked.id}`)).status).toBe(404);
    const afterRevoke = await accept(later, revoked.token);
    expect(afterRevoke.status).toBe(400);
    expect(await errorCode(afterRevoke)).toBe('invitation_invalid');
    expect((await as(later, 'GET', '/profile')).status).toBe(404);

    // Expired, on the server whose invitations last a second.
    const briefOwner = await person(brief, 'Bri Owner');
    const briefWorkspace = ((await (await brief.request('POST', '/api/workspaces', { cookie: briefOwner.cookie, body: { name: 'Brief Co' } })).json()) as { id: string }).id;
    const slow = await person(brief, 'Sam Slow');
    const expiring = await invite(brief, briefOwner, briefWorkspace, slow.email, 'viewer');
    await sleep(SHORT_TTL_SECONDS * 1000 + 200);
    const expired = await accept(slow, expiring.token, brief);
    expect(expired.status).toBe(400);
    expect(await errorCode(expired)).toBe('invitation_invalid');
    expect((await as(slow, 'GET', '/profile', undefined, brief, briefWorkspace)).status).toBe(404);
    expect(((await (await as(briefOwner, 'GET', '/invitations', undefined, brief, briefWorkspace)).json()) as { invitations: unknown[] }).invitations).toEqual([]);

    const events = workspaceEvents(enclave, workspaceId);
    expect(events.find((event) => event.action === 'invitation.accept' && event.target_id === id)).toMatchObject({ actor_type: 'user', actor_id: invitee.id, outcome: 'success' });
    expect(JSON.parse(events.find((event) => event.action === 'member.add' && event.target_id === invitee.id)!.details)).toMatchObject({ role: 'builder', via: 'invitation' });
    expect(events.find((event) => event.action === 'invitation.revoke' && event.target_id === revoked.id)).toMatchObject({ actor_id: owner.id });
    const failures = controlEvents(enclave).filter((event) => event.action === 'invitation.accept' && event.outcome === 'failure');
    expect(failures.length).toBeGreaterThanOrEqual(4);
    for (const token of tokens) expect(JSON.stringify(failures)).not.toContain(token);
  });

  it('[ACC-06] two racing acceptances of one invitation add the member once', async () => {
    const racer = await person(enclave, 'Rae Racer');
    const { token } = await invite(enclave, owner, workspaceId, racer.email, 'viewer');
    const answers = await Promise.all([accept(racer, token), accept(racer, token), accept(racer, token)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400]);
  });

  it('[ACC-06] a person who lost the mailed link finds the invitation for their verified address and accepts it; nobody else sees or accepts it', async () => {
    const invitee = await person(enclave, 'Lou Lostlink');
    const other = await person(enclave, 'Otto Other');
    const { id } = await invite(enclave, owner, workspaceId, invitee.email, 'viewer');

    const listed = await enclave.request('GET', '/api/invitations', { cookie: invitee.cookie });
    expect(listed.status).toBe(200);
    const { invitations } = (await listed.json()) as { invitations: { id: string; role: string; workspace: { id: string } }[] };
    expect(invitations).toEqual([expect.objectContaining({ id, role: 'viewer', workspace: expect.objectContaining({ id: workspaceId }) })]);
    const othersView = (await (await enclave.request('GET', '/api/invitations', { cookie: other.cookie })).json()) as { invitations: unknown[] };
    expect(othersView.invitations).toEqual([]);

    const stolen = await enclave.request('POST', `/api/invitations/${id}/accept`, { cookie: other.cookie });
    expect(stolen.status).toBe(400);
    expect(await errorCode(stolen)).toBe('invitation_invalid');
    expect((await as(other, 'GET', '/members')).status).toBe(404);

    const accepted = await enclave.request('POST', `/api/invitations/${id}/accept`, { cookie: invitee.cookie });
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as { role: string }).role).toBe('viewer');
    expect((await as(invitee, 'GET', '/members')).status).toBe(200);
    expect((await enclave.request('POST', `/api/invitations/${id}/accept`, { cookie: invitee.cookie })).status).toBe(400);
    expect((await enclave.request('GET', '/api/invitations', { headers: {} })).status).toBe(401);
    expect((await enclave.request('POST', '/api/invitations/not-an-id/accept', { cookie: invitee.cookie })).status).toBe(400);
  });

  it('[CRY-02] the invitation table holds no usable token', async () => {
    const holder = await person(enclave, 'Hal Holder');
    await invite(enclave, owner, workspaceId, holder.email, 'viewer');
    expect(tokens.length).toBeGreaterThanOrEqual(5);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const server of [enclave, brief]) {
      const rows = server.server.platform.controlDb.prepare('SELECT * FROM workspace_invitation').all() as { token_hash: string }[];
      expect(rows.length).toBeGreaterThan(0);
      const dump = JSON.stringify(rows);
      for (const token of tokens) expect(dump).not.toContain(token);
      for (const row of rows) expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      // Not in the log lines either.
      const logs = server.logs.join('\n');
      for (const token of tokens) expect(logs).not.toContain(token);
    }
    // And none of them is in the link-token table either.
    const verification = JSON.stringify(enclave.server.platform.controlDb.prepare('SELECT * FROM "verification"').all());
    for (const token of tokens) expect(verification).not.toContain(token);
  });

  it('[WEB-02] bad invitation input gets a 4xx, never a 5xx, and unknown fields are refused', async () => {
    const cases: [string, string, unknown, number][] = [
      ['POST', '/invitations', {}, 400],
      ['POST', '/invitations', { email: 'not-an-address', role: 'viewer' }, 400],
      ['POST', '/invitations', { email: 'ok@people.example', role: 'superuser' }, 400],
      ['POST', '/invitations', { email: 'ok@people.example', role: 'viewer', workspaceId }, 400],
      ['POST', '/invitations', { email: 'ok@people.example', role: 'viewer', token: 'x' }, 400],
      ['POST', '/invitations', { email: `${'a'.repeat(250)}@people.example`, role: 'viewer' }, 400],
      ['POST', '/invitations', 'not json', 400],
      ['POST', '/invitations', { email: owner.email, role: 'viewer' }, 409],
      ['DELETE', '/invitations/inv_00000000000000000000000000000000', undefined, 404],
      ['DELETE', '/invitations/..%2F..', undefined, 400],
      ['DELETE', '/invitations/nope', undefined, 400],
    ];
    for (const [method, path, body, status] of cases) {
      const response = await as(owner, method, path, body);
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
    }
    const twice = await person(enclave, 'Tess Twice');
    await invite(enclave, owner, workspaceId, twice.email, 'viewer');
    expect(await errorCode(await as(owner, 'POST', '/invitations', { email: twice.email, role: 'admin' }))).toBe('invitation_pending');

    const acceptor = await person(enclave, 'Ace Acceptor');
    const bad: unknown[] = [{}, { token: '' }, { token: 'x'.repeat(42) }, { token: 'x'.repeat(44) }, { token: 'a'.repeat(43), extra: 1 }, { token: 42 }, 'null', '[]', '{'];
    for (const body of bad) {
      const response = await enclave.request('POST', '/api/invitations/accept', { cookie: acceptor.cookie, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    const unknown = await accept(acceptor, 'A'.repeat(43));
    expect(unknown.status).toBe(400);
    expect(await errorCode(unknown)).toBe('invitation_invalid');
    // A key cannot accept: invitations are for people.
    const keyed = await enclave.createWorkspace('Keyed');
    expect((await enclave.request('POST', '/api/invitations/accept', { token: keyed.token, body: { token: 'A'.repeat(43) } })).status).toBe(403);
  });
});
