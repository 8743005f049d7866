import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepRetention } from '../../src/platform/retention-sweeper.ts';
import { runEnclave } from '../helpers/cli.ts';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { readWithSqlcipher } from '../helpers/witness.ts';

const DAY = 86_400_000;

describe('deleting a workspace', () => {
  let enclave: TestServer;
  let owner: TestUser & { cookie: string };
  let admin: TestUser & { cookie: string };

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1000 } });
    const person = async (name: string) => {
      const user = await enclave.createUser(name);
      return { ...user, cookie: await enclave.signIn(user) };
    };
    owner = await person('Olga Owner');
    admin = await person('Adam Admin');
  });
  afterAll(() => enclave.close());

  const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;
  async function workspace(name: string) {
    const created = await enclave.createWorkspace(name);
    await enclave.addMember(created.id, owner, 'owner');
    await enclave.addMember(created.id, admin, 'admin');
    return created;
  }
  const remove = (id: string, body: unknown, cookie = owner.cookie) => enclave.request('DELETE', `/api/w/${id}`, { cookie, body });

  it('[DAT-02] an owner deletes with the name and password: the workspace, its members and its keys are refused at once; the owner restores it intact', async () => {
    const ws = await workspace('Acme Analytics');
    expect((await enclave.request('PATCH', `/api/w/${ws.id}/profile`, { cookie: owner.cookie, body: { description: 'kept through deletion' } })).status).toBe(200);

    const deleted = await remove(ws.id, { confirmName: 'Acme Analytics', password: owner.password });
    expect(deleted.status).toBe(202);
    const body = (await deleted.json()) as { shredAfter: string; deletedAt: string };
    expect(Date.parse(body.shredAfter) - Date.parse(body.deletedAt)).toBe(30 * DAY);
    for (const credentials of [{ cookie: owner.cookie }, { cookie: admin.cookie }]) {
      const response = await enclave.request('GET', `/api/w/${ws.id}/profile`, credentials);
      expect(response.status).toBe(404);
      expect(await errorCode(response)).toBe('workspace_not_found');
    }
    // The workspace's keys no longer authenticate at all.
    expect((await enclave.request('GET', `/api/w/${ws.id}/profile`, { token: ws.token })).status).toBe(401);
    const listed = (await (await enclave.request('GET', '/api/workspaces', { cookie: owner.cookie })).json()) as { workspaces: { id: string }[] };
    expect(listed.workspaces.map((candidate) => candidate.id)).not.toContain(ws.id);
    const pending = (await (await enclave.request('GET', '/api/workspaces/deleted', { cookie: owner.cookie })).json()) as { workspaces: { id: string }[] };
    expect(pending.workspaces.map((candidate) => candidate.id)).toEqual([ws.id]);
    const adminsView = (await (await enclave.request('GET', '/api/workspaces/deleted', { cookie: admin.cookie })).json()) as { workspaces: unknown[] };
    expect(adminsView.workspaces).toEqual([]);
    expect((await enclave.request('POST', `/api/workspaces/${ws.id}/restore`, { cookie: admin.cookie })).status).toBe(404);

    expect((await enclave.request('POST', `/api/workspaces/${ws.id}/restore`, { cookie: owner.cookie })).status).toBe(204);
    const profile = await enclave.request('GET', `/api/w/${ws.id}/profile`, { cookie: owner.cookie });
    expect(profile.status).toBe(200);
    expect(((await profile.json()) as { description: string }).description).toBe('kept through deletion');
    expect((await enclave.request('GET', `/api/w/${ws.id}/profile`, { token: ws.token })).status).toBe(200);
    const events = (await (await enclave.request('GET', `/api/w/${ws.id}/audit-events?limit=1000`, { cookie: owner.cookie })).json()) as { events: { action: string }[] };
    expect(events.events.map((event) => event.action)).toEqual(expect.arrayContaining(['workspace.delete', 'workspace.restore']));
  });

  it('[DAT-02] a wrong name, a wrong or missing password, an admin and an admin key are all refused, and nothing is deleted', async () => {
    const ws = await workspace('Careful Co');
    const wrongName = await remove(ws.id, { confirmName: 'careful co', password: owner.password });
    expect(wrongName.status).toBe(400);
    expect(await errorCode(wrongName)).toBe('confirmation_mismatch');
    const wrongPassword = await remove(ws.id, { confirmName: 'Careful Co', password: 'not the password' });
    expect(wrongPassword.status).toBe(403);
    expect(await errorCode(wrongPassword)).toBe('reauthentication_failed');
    expect((await remove(ws.id, { confirmName: 'Careful Co', password: admin.password }, admin.cookie)).status).toBe(403);
    const adminKey = await enclave.addKey(ws.id, 'admin');
    expect((await enclave.request('DELETE', `/api/w/${ws.id}`, { token: adminKey, body: { confirmName: 'Careful Co' } })).status).toBe(403);
    const noPassword = await remove(ws.id, { confirmName: 'Careful Co' });
    expect(noPassword.status).toBe(400);
    expect(await errorCode(noPassword)).toBe('password_required');
    expect((await enclave.request('GET', `/api/w/${ws.id}/profile`, { cookie: owner.cookie })).status).toBe(200);
  });

  it('[DAT-02] an owner API key deletes with the name alone: the key is presented on every request', async () => {
    const ws = await workspace('Automated Co');
    const deleted = await enclave.request('DELETE', `/api/w/${ws.id}`, { token: ws.token, body: { confirmName: 'Automated Co' } });
    expect(deleted.status).toBe(202);
    expect((await enclave.request('GET', `/api/w/${ws.id}/profile`, { cookie: owner.cookie })).status).toBe(404);
  });

  it('[DAT-02] after the retention period the sweeper destroys the key seed and the files; the workspace cannot be restored, and a copy of its file made before cannot be opened', async () => {
    const ws = await workspace('Short Lived');
    const file = join(enclave.dataDir, 'workspaces', ws.id, 'workspace.db');
    const key = (await runEnclave(['keys', 'show', '--data-dir', enclave.dataDir, '--workspace', ws.id, '--purpose', 'db'])).stdout.trim();
    enclave.server.platform.databases.open(ws.id).db.pragma('wal_checkpoint(TRUNCATE)');
    const copy = join(mkdtempSync(join(tmpdir(), 'enclave-shred-')), 'workspace.db');
    copyFileSync(file, copy);
    expect(readWithSqlcipher(copy, key, 'SELECT count(*) AS n FROM workspace_profile')).toEqual([{ n: 1 }]);

    expect((await remove(ws.id, { confirmName: 'Short Lived', password: owner.password })).status).toBe(202);
    const early = await sweepRetention(enclave.server.platform, new Date(Date.now() + 29 * DAY));
    expect(early.shredded).toEqual([]);
    expect(existsSync(file)).toBe(true);

    const sweep = await sweepRetention(enclave.server.platform, new Date(Date.now() + 31 * DAY));
    expect(sweep.shredded).toContain(ws.id);
    expect(existsSync(join(enclave.dataDir, 'workspaces', ws.id))).toBe(false);
    const row = enclave.server.platform.controlDb.prepare('SELECT length(seed_wrapped) AS seed, shredded_at FROM workspace WHERE id = ?').get(ws.id) as { seed: number; shredded_at: string | null };
    expect(row.seed).toBe(0);
    expect(row.shredded_at).not.toBeNull();
    const restore = await enclave.request('POST', `/api/workspaces/${ws.id}/restore`, { cookie: owner.cookie });
    expect(restore.status).toBe(410);
    expect(await errorCode(restore)).toBe('workspace_shredded');
    // The operator, holding the master key, can no longer derive any key of the workspace.
    const reveal = await runEnclave(['keys', 'show', '--data-dir', enclave.dataDir, '--workspace', ws.id, '--purpose', 'db']);
    expect(reveal.code).not.toBe(0);
    expect(reveal.stdout).not.toContain(key);
  });
});
