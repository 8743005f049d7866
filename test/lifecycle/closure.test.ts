import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solvedChallenge } from '../helpers/proof-of-work.ts';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { linkIn, startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.ts';
import { controlEvents, workspaceEvents } from '../identity/audit.ts';

const DAY = 86_400_000;

describe('account closure (DAT-03)', () => {
  let smtp: SmtpCapture;
  let enclave: TestServer;
  let cleo: TestUser;
  let cleoName: string;
  let cleoCookie: string;
  let owen: TestUser;
  let owenCookie: string;
  let solo: string;
  let shared: string;
  let team: string;
  let soloKey: string;

  const createWorkspace = async (cookie: string, name: string) => {
    const response = await enclave.request('POST', '/api/workspaces', { cookie, body: { name } });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const close = (cookie: string, body: unknown) => enclave.request('POST', '/api/me/close', { cookie, body });
  const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;
  const memberIds = async (workspaceId: string, cookie: string) => {
    const response = await enclave.request('GET', `/api/w/${workspaceId}/members`, { cookie });
    expect(response.status).toBe(200);
    return ((await response.json()) as { members: { userId: string }[] }).members.map((member) => member.userId);
  };
  const askMagicLink = async (email: string) =>
    enclave.request('POST', '/api/auth/magic-link', { body: { email, altcha: await solvedChallenge(enclave.url) }, headers: { origin: enclave.url } });
  /** What a closure changes: the account row, its sign-in methods, sessions, memberships and workspaces. */
  const accountState = () => {
    const db = enclave.server.platform.controlDb;
    return {
      user: db.prepare('SELECT * FROM "user" WHERE "id" = ?').get(cleo.id),
      accounts: db.prepare('SELECT * FROM "account" WHERE "userId" = ?').all(cleo.id),
      sessions: db.prepare('SELECT "id" FROM "session" WHERE "userId" = ?').all(cleo.id),
      memberships: db.prepare('SELECT * FROM workspace_member WHERE user_id = ?').all(cleo.id),
      workspaces: db.prepare('SELECT id, deleted_at FROM workspace').all(),
      disabled: db.prepare('SELECT * FROM account_disabled').all(),
    };
  };
  /** Every value in every table of the decrypted control database, as text. */
  const controlDbText = () => {
    const db = enclave.server.platform.controlDb;
    enclave.server.platform.controlAudit.flush();
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables
      .flatMap(({ name }) => db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[])
      .flatMap((row) => Object.values(row).map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : String(value))))
      .join('\n');
  };

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    enclave = await startTestServer({
      rateLimit: { signInPerIpPerMinute: 1000 },
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'enclave@mail.example' },
    });
    cleoName = `Cleo ${randomUUID()}`;
    cleo = await enclave.createUser(cleoName);
    cleoCookie = await enclave.signIn(cleo);
    owen = await enclave.createUser('Owen Other');
    owenCookie = await enclave.signIn(owen);
    solo = await createWorkspace(cleoCookie, 'Solo Co');
    shared = await createWorkspace(cleoCookie, 'Shared Co');
    await enclave.addMember(shared, owen, 'builder');
    team = await createWorkspace(owenCookie, 'Team Co');
    await enclave.addMember(team, cleo, 'admin');
  });
  afterAll(async () => {
    await enclave.close();
    await smtp.close();
  });

  it('[DAT-03] a wrong password, a wrong address or a key instead of a session is refused and changes nothing', async () => {
    const before = accountState();
    const wrongPassword = await close(cleoCookie, { password: 'not-the-password', confirm: cleo.email });
    expect(wrongPassword.status).toBe(403);
    expect(await errorCode(wrongPassword)).toBe('reauthentication_failed');
    const wrongAddress = await close(cleoCookie, { password: cleo.password, confirm: 'someone@people.example' });
    expect(wrongAddress.status).toBe(400);
    expect(await errorCode(wrongAddress)).toBe('confirmation_mismatch');
    const missing = await close(cleoCookie, { password: cleo.password });
    expect(missing.status).toBe(400);
    const anonymous = await enclave.request('POST', '/api/me/close', { body: { password: cleo.password, confirm: cleo.email }, headers: { origin: enclave.url } });
    expect(anonymous.status).toBe(401);
    soloKey = await enclave.addKey(solo, 'owner');
    const byKey = await enclave.request('POST', '/api/me/close', { token: soloKey, body: { password: cleo.password, confirm: cleo.email } });
    expect(byKey.status).toBe(403);

    expect((await enclave.request('GET', '/api/auth/session', { cookie: cleoCookie })).status).toBe(200);
    expect(await memberIds(team, owenCookie)).toContain(cleo.id);
    expect(accountState()).toEqual(before);
  });

  it('[DAT-03] the only owner of a workspace that has other members gets 409 sole_owner naming how many', async () => {
    const before = accountState();
    const refused = await close(cleoCookie, { password: cleo.password, confirm: cleo.email });
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('sole_owner');
    expect(body.error.message).toContain('1 workspace ');
    expect((await enclave.request('GET', '/api/auth/session', { cookie: cleoCookie })).status).toBe(200);
    expect(await memberIds(shared, cleoCookie)).toEqual(expect.arrayContaining([cleo.id, owen.id]));
    expect(accountState()).toEqual(before);
  });

  it('[DAT-03] closing ends the session at once, the account can never sign in again, its own workspace is deleted, the rest forget it, and the control DB keeps no name, address or password hash', async () => {
    // Ownership handed over, as the refusal asked.
    await enclave.server.platform.members.changeRole(shared, owen.id, 'owner', { actor: { type: 'operator', id: 'test' } });
    const db = enclave.server.platform.controlDb;
    const passwordHash = (db.prepare('SELECT "password" FROM "account" WHERE "userId" = ? AND "providerId" = \'credential\'').get(cleo.id) as { password: string }).password;
    expect(passwordHash.length).toBeGreaterThan(20);
    const secondCookie = await enclave.signIn(cleo);
    // An authenticator enrolment under way: its sealed secret is MFA material that must go too.
    expect((await enclave.request('POST', '/api/auth/mfa/totp/enroll', { cookie: secondCookie, body: { password: cleo.password } })).status).toBe(200);
    expect(db.prepare('SELECT count(*) AS n FROM mfa_totp WHERE user_id = ?').get(cleo.id)).toEqual({ n: 1 });
    // A sign-in link issued before the closure must not outlive it.
    expect((await askMagicLink(cleo.email)).status).toBe(202);
    const earlierLink = linkIn(await smtp.next(cleo.email), enclave.url, '/api/auth/magic-link/verify');

    const closed = await close(cleoCookie, { password: cleo.password, confirm: cleo.email.toUpperCase() });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toEqual({ status: 'closed', workspacesDeleted: [solo], workspacesLeft: 2 });
    expect(closed.headers.getSetCookie()[0]).toMatch(/^enclave_session=; Max-Age=0/);

    // Every session ends from the next request on.
    expect((await enclave.request('GET', '/api/auth/session', { cookie: cleoCookie })).status).toBe(401);
    expect((await enclave.request('GET', '/api/workspaces', { cookie: secondCookie })).status).toBe(401);
    // No way back in: password, an earlier link, a new link.
    const signIn = await enclave.request('POST', '/api/auth/sign-in/email', { body: { email: cleo.email, password: cleo.password }, headers: { origin: enclave.url } });
    expect(signIn.status).toBe(401);
    const followed = await fetch(earlierLink, { redirect: 'manual' });
    expect(followed.status).toBe(400);
    expect(followed.headers.getSetCookie()).toEqual([]);
    expect((await askMagicLink(cleo.email)).status).toBe(202);
    const linkRequests = controlEvents(enclave).filter((event) => event.action === 'user.magic_link.request');
    expect(JSON.parse(linkRequests.at(-1)!.details)).toEqual({ sent: false });

    // The confirmation mail went to the address before it was forgotten.
    const mail = await smtp.next(cleo.email);
    expect(mail.subject).toBe('Your Enclave account was closed');

    // Solo Co is deleted through DAT-02: gone from the API, on the sweeper's list, not yet shredded.
    const soloRow = db.prepare('SELECT deleted_at, shredded_at FROM workspace WHERE id = ?').get(solo) as { deleted_at: string | null; shredded_at: string | null };
    expect(soloRow.deleted_at).not.toBeNull();
    expect(soloRow.shredded_at).toBeNull();
    expect((await enclave.request('GET', `/api/w/${solo}/profile`, { token: soloKey })).status).toBe(401);
    // The other workspaces go on without Cleo, and their logs say why.
    expect(await memberIds(team, owenCookie)).not.toContain(cleo.id);
    expect(await memberIds(shared, owenCookie)).toEqual([owen.id]);
    for (const workspaceId of [team, shared]) {
      const removal = workspaceEvents(enclave, workspaceId).find((event) => event.action === 'member.remove' && event.target_id === cleo.id);
      expect(JSON.parse(removal!.details)).toMatchObject({ via: 'account_closure' });
    }
    const control = controlEvents(enclave);
    const closure = control.find((event) => event.action === 'user.close' && event.target_id === cleo.id);
    expect(JSON.parse(closure!.details)).toMatchObject({ workspacesDeleted: [solo], membershipsRemoved: 3, sessionsEnded: 2, mailed: true });
    expect(control.find((event) => event.action === 'workspace.delete' && event.target_id === solo)).toBeDefined();

    // Nothing identifying is left anywhere in the control database.
    const text = controlDbText();
    expect(text).not.toContain(cleo.email);
    expect(text.toLowerCase()).not.toContain(cleo.email.toLowerCase());
    expect(text).not.toContain(cleoName);
    expect(text).not.toContain(passwordHash);
    expect(db.prepare('SELECT "name", "email" FROM "user" WHERE "id" = ?').get(cleo.id)).toEqual({ name: 'Closed account', email: `closed-${cleo.id}@closed.invalid` });
    expect(db.prepare('SELECT count(*) AS n FROM "account" WHERE "userId" = ?').get(cleo.id)).toEqual({ n: 0 });
    for (const table of ['mfa_totp', 'mfa_backup_code', 'passkey', 'workspace_member']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`).get(cleo.id)).toEqual({ n: 0 });
    }
    expect(db.prepare('SELECT reason FROM account_disabled WHERE user_id = ?').get(cleo.id)).toEqual({ reason: 'closed' });
    expect(db.prepare('SELECT email_digest FROM closed_account WHERE user_id = ?').get(cleo.id)).toEqual({
      email_digest: enclave.server.platform.identity.emailDigest(cleo.email.toLowerCase()),
    });

    expect(enclave.logs.join('\n')).not.toContain(cleo.password);

    // After the retention period the sweeper destroys Solo Co like any deleted workspace.
    const shredded = await enclave.server.platform.deletion.shredExpired(new Date(Date.parse(soloRow.deleted_at!) + 31 * DAY));
    expect(shredded).toEqual([solo]);
  });
});
