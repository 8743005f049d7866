import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEnclave } from '../helpers/cli.ts';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.ts';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { controlEvents, workspaceEvents } from '../identity/audit.ts';
import { everyByte, readArchive, type ReadArchive } from './export-archive.ts';

const SECRET = `canary-vault-${randomUUID()}`;
const SSO_SECRET = `canary-sso-${randomUUID()}`;
/** More rows than one page of the dataset reader, so paging is part of the round trip. */
const ROWS = Array.from({ length: 2345 }, (_, index) => ({
  id: index + 1,
  name: `Customer ${index + 1} — Zoë «${'x'.repeat(index % 7)}»`,
  tax_id: `TAX-${randomUUID()}`,
  balance: index % 3 === 0 ? null : (index * 7.25) / 4,
  active: index % 2 === 0,
}));

describe('data export (DAT-01)', () => {
  let enclave: TestServer;
  let dns: TestDnsServer;
  let owner: TestUser;
  let ownerCookie: string;
  let workspaceId: string;
  let adminCookie: string;
  let viewerCookie: string;
  let issuedTokens: string[];
  let workspaceArchive: ReadArchive;
  let workspaceResponse: Response;

  const download = async (path: string, auth: { cookie?: string; token?: string }) => {
    const response = await enclave.request('GET', path, auth);
    return { response, body: Buffer.from(await response.arrayBuffer()) };
  };

  beforeAll(async () => {
    dns = await startDnsServer();
    enclave = await startTestServer({ sso: { dnsServers: [dns.address], allowLoopbackIssuers: true } });
    owner = await enclave.createUser('Olive Owner');
    ownerCookie = await enclave.signIn(owner);
    const created = await enclave.request('POST', '/api/workspaces', { cookie: ownerCookie, body: { name: 'Exported Co' } });
    expect(created.status).toBe(201);
    workspaceId = ((await created.json()) as { id: string }).id;
    const call = async (method: string, path: string, body: unknown) => {
      const response = await enclave.request(method, `/api/w/${workspaceId}${path}`, { cookie: ownerCookie, body });
      const text = await response.text();
      expect(response.status, text).toBeLessThan(300);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const admin = await enclave.createUser('Adam Admin');
    await enclave.addMember(workspaceId, admin, 'admin');
    adminCookie = await enclave.signIn(admin);
    const viewer = await enclave.createUser('Vera Viewer');
    await enclave.addMember(workspaceId, viewer, 'viewer');
    viewerCookie = await enclave.signIn(viewer);

    await call('POST', '/datasets', {
      name: 'customers',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'text' },
        { name: 'tax_id', type: 'text', sensitive: true },
        { name: 'balance', type: 'real' },
        { name: 'active', type: 'boolean' },
      ],
      primaryKey: ['id'],
    });
    for (let start = 0; start < ROWS.length; start += 1000) {
      const result = await call('POST', '/datasets/customers/batches', { batchId: `rows-${start}`, upserts: ROWS.slice(start, start + 1000) });
      expect(result.rejected).toEqual([]);
    }
    await call('POST', '/datasets', { name: 'empty_one', columns: [{ name: 'code', type: 'text' }], primaryKey: ['code'] });
    await call('POST', '/credentials', { name: 'Payments API', secret: { kind: 'bearer', token: SECRET }, scopes: [{ workflow: 'Billing', node: 'charge' }] });
    const apiKey = (await call('POST', '/api-keys', { name: 'exported key', role: 'viewer' })).token as string;
    const scimToken = (await call('POST', '/scim/tokens', { name: 'directory' })).token as string;
    const pairingToken = (await call('POST', '/agents/pairing-tokens', { name: 'laptop' })).token as string;
    issuedTokens = [apiKey, scimToken, pairingToken];
    const claim = await call('POST', '/sso/domains', { domain: 'exported.test' });
    dns.setTxt(claim.txtName as string, [claim.txtValue as string]);
    await call('POST', '/sso/domains/exported.test/verify', undefined);
    await call('POST', '/sso/domains/exported.test/connections', {
      protocol: 'oidc', issuer: 'https://idp.exported.test', clientId: 'exported-client', clientSecret: SSO_SECRET, defaultRole: 'viewer',
    });

    const { response, body } = await download(`/api/w/${workspaceId}/export`, { cookie: ownerCookie });
    workspaceResponse = response;
    expect(response.status, body.toString()).toBe(200);
    workspaceArchive = readArchive(body);
  }, 120_000);

  afterAll(async () => {
    await enclave?.close();
    await dns?.close();
  });

  it("[DAT-01] an owner's workspace export is a tar that Debian's tar reads, with every manifest checksum matching and the manifest last", () => {
    expect(workspaceResponse.headers.get('content-type')).toBe('application/x-tar');
    expect(workspaceResponse.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="enclave-workspace-${workspaceId}-\\d{8}T\\d{6}Z\\.tar"$`));
    const { manifest, entries } = workspaceArchive;
    expect(manifest).toMatchObject({ format: 'enclave-export', formatVersion: 1, kind: 'workspace', subject: { workspaceId, name: 'Exported Co' } });
    expect(Date.parse(manifest.createdAt)).not.toBeNaN();
    expect(manifest.secrets).toMatch(/no secret/i);
    expect(entries).toEqual(
      expect.arrayContaining([
        'README.txt',
        'workspace.jsonl',
        'datasets.jsonl',
        'datasets/customers.jsonl',
        'datasets/empty_one.jsonl',
        'members.jsonl',
        'api-keys.jsonl',
        'agents.jsonl',
        'pairing-tokens.jsonl',
        'scim-tokens.jsonl',
        'credentials.jsonl',
        'sso-domains.jsonl',
        'sso-connections.jsonl',
        'audit-log.jsonl',
      ]),
    );
    const readme = workspaceArchive.file('README.txt').toString();
    expect(readme).toContain('manifest.json comes LAST');
    expect(readme).toContain('datasets/<name>.jsonl');
  });

  it('[DAT-01] datasets round-trip whole: every row, every value (sensitive columns unmasked), in key order', () => {
    expect(workspaceArchive.lines('datasets/customers.jsonl')).toEqual(ROWS);
    expect(workspaceArchive.lines('datasets/empty_one.jsonl')).toEqual([]);
    const listed = workspaceArchive.lines<{ name: string; rowCount: number; file: string; columns: { name: string; sensitive: boolean }[] }>('datasets.jsonl');
    expect(listed.map(({ name, rowCount, file }) => ({ name, rowCount, file }))).toEqual([
      { name: 'customers', rowCount: ROWS.length, file: 'datasets/customers.jsonl' },
      { name: 'empty_one', rowCount: 0, file: 'datasets/empty_one.jsonl' },
    ]);
    expect(listed[0]!.columns.find((column) => column.name === 'tax_id')?.sensitive).toBe(true);
    const members = workspaceArchive.lines('members.jsonl');
    expect(members).toHaveLength(3);
    expect(members).toContainEqual({ id: owner.id, email: owner.email, name: 'Olive Owner', role: 'owner', joinedAt: expect.any(String) });
    expect(workspaceArchive.lines('workspace.jsonl')).toEqual([expect.objectContaining({ id: workspaceId, name: 'Exported Co', requireMfa: false })]);
    const events = workspaceArchive.lines<{ action: string; hash: string }>('audit-log.jsonl');
    expect(events.map((event) => event.action)).toEqual(expect.arrayContaining(['dataset.create', 'credential.create', 'api_key.create']));
  });

  it('[DAT-01] no plaintext secret anywhere in the archive: vault secret, SSO client secret, API key, SCIM and pairing tokens appear as metadata only', () => {
    const bytes = everyByte(workspaceArchive);
    for (const secret of [SECRET, SSO_SECRET, ...issuedTokens]) {
      expect(secret.length).toBeGreaterThan(20);
      // Any 16-character run of a secret would be a leak; the hint is its last 4 at most.
      for (let start = 0; start + 16 <= secret.length; start += 4) expect(bytes).not.toContain(secret.slice(start, start + 16));
    }
    expect(workspaceArchive.lines('credentials.jsonl')).toEqual([expect.objectContaining({ name: 'Payments API', hint: `…${SECRET.slice(-4)}` })]);
    expect(Object.keys(workspaceArchive.lines('credentials.jsonl')[0]!).sort()).toEqual(['createdAt', 'disabled', 'hint', 'id', 'kind', 'name', 'preset', 'scopes', 'updatedAt']);
    expect(workspaceArchive.lines('api-keys.jsonl').map((key) => key.name)).toEqual(expect.arrayContaining(['exported key']));
    expect(workspaceArchive.lines('scim-tokens.jsonl')).toEqual([expect.objectContaining({ name: 'directory' })]);
    expect(workspaceArchive.lines('pairing-tokens.jsonl')).toEqual([expect.objectContaining({ name: 'laptop' })]);
    expect(workspaceArchive.lines('sso-domains.jsonl')).toEqual([expect.objectContaining({ domain: 'exported.test', verifiedAt: expect.any(String) })]);
    expect(workspaceArchive.lines('sso-connections.jsonl')).toEqual([expect.objectContaining({ protocol: 'oidc', issuer: 'https://idp.exported.test', clientId: 'exported-client' })]);
    for (const path of ['api-keys.jsonl', 'scim-tokens.jsonl', 'pairing-tokens.jsonl', 'credentials.jsonl', 'sso-connections.jsonl']) {
      expect(workspaceArchive.file(path).toString()).not.toMatch(/hash|cipher|wrapped|"token"|secret/i);
    }
  });

  it('[DAT-01] only owners export a workspace: admins, viewers and keys of other roles get 403, no credentials 401, and refusals are not exports', async () => {
    const adminKey = await enclave.addKey(workspaceId, 'admin');
    for (const auth of [{ cookie: adminCookie }, { cookie: viewerCookie }, { token: adminKey }]) {
      const { response, body } = await download(`/api/w/${workspaceId}/export`, auth);
      expect(response.status).toBe(403);
      expect(JSON.parse(body.toString()).error.code).toBe('forbidden');
    }
    expect((await download(`/api/w/${workspaceId}/export`, {})).response.status).toBe(401);
    // A key is not a person: the personal export is for sessions only.
    const personal = await download('/api/me/export', { token: adminKey });
    expect(personal.response.status).toBe(403);
    expect(JSON.parse(personal.body.toString()).error.code).toBe('user_session_required');
    expect((await download('/api/me/export', {})).response.status).toBe(401);
  });

  it('[DAT-01] a personal export holds the profile, memberships, sessions, MFA, passkeys, linked identities and account events, without tokens', async () => {
    const person = await enclave.createUser('Pat Person');
    const cookie = await enclave.signIn(person);
    await enclave.addMember(workspaceId, person, 'builder');
    const { response, body } = await download('/api/me/export', { cookie });
    expect(response.status, body.toString()).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-tar');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="enclave-personal-/);
    const archive = readArchive(body);
    expect(archive.manifest).toMatchObject({ kind: 'personal', formatVersion: 1, subject: { userId: person.id, email: person.email } });
    expect(archive.lines('profile.jsonl')).toEqual([expect.objectContaining({ id: person.id, email: person.email, name: 'Pat Person', emailVerified: true })]);
    expect(archive.lines('memberships.jsonl')).toEqual([expect.objectContaining({ id: workspaceId, role: 'builder' })]);
    expect(archive.lines('sessions.jsonl')).toEqual([expect.objectContaining({ current: true })]);
    expect(archive.lines('mfa.jsonl')).toEqual([{ totp: false, backupCodesRemaining: 0 }]);
    expect(archive.lines('passkeys.jsonl')).toEqual([]);
    expect(archive.lines('linked-identities.jsonl')).toEqual([expect.objectContaining({ provider: 'credential' })]);
    const events = archive.lines<{ action: string; actor: { id: string }; target: { id: string } | null }>('audit-log.jsonl');
    expect(events.map((event) => event.action)).toEqual(expect.arrayContaining(['user.create', 'user.sign_in']));
    expect(events.every((event) => event.actor.id === person.id || event.target?.id === person.id)).toBe(true);
    // Nobody else's account events, and not the session token or the password.
    expect(events.some((event) => event.actor.id === owner.id || event.target?.id === owner.id)).toBe(false);
    const bytes = everyByte(archive);
    expect(bytes).not.toContain(cookie.split('=')[1]!.split('.')[0]!);
    expect(bytes).not.toContain(person.password);
  });

  it('[DAT-01] the 4th export in an hour gets 429 with Retry-After, per person across both routes and per workspace across people', async () => {
    const refusedWith = async (path: string, auth: { cookie?: string; token?: string }) => {
      const { response, body } = await download(path, auth);
      expect(response.status, body.toString()).toBe(429);
      expect(JSON.parse(body.toString()).error.code).toBe('rate_limited');
      const retryAfter = Number(response.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    };
    const allowed = async (path: string, auth: { cookie?: string; token?: string }) => {
      const { response, body } = await download(path, auth);
      expect(response.status, body.toString()).toBe(200);
      readArchive(body);
    };
    // Per person: the owner has exported the workspace once (beforeAll); a personal and another workspace export make three.
    await allowed('/api/me/export', { cookie: ownerCookie });
    const second = await enclave.request('POST', '/api/workspaces', { cookie: ownerCookie, body: { name: 'Second Co' } });
    const secondId = ((await second.json()) as { id: string }).id;
    await allowed(`/api/w/${secondId}/export`, { cookie: ownerCookie });
    await refusedWith('/api/me/export', { cookie: ownerCookie });
    await refusedWith(`/api/w/${secondId}/export`, { cookie: ownerCookie });

    // Per workspace: two more owners (a key and a person) bring the first workspace to three; a fourth requester is refused.
    const ownerKey = await enclave.addKey(workspaceId, 'owner');
    await allowed(`/api/w/${workspaceId}/export`, { token: ownerKey });
    const coOwner = await enclave.createUser('Cora Coowner');
    await enclave.addMember(workspaceId, coOwner, 'owner');
    const coOwnerCookie = await enclave.signIn(coOwner);
    await allowed(`/api/w/${workspaceId}/export`, { cookie: coOwnerCookie });
    const fresh = await enclave.addKey(workspaceId, 'owner');
    await refusedWith(`/api/w/${workspaceId}/export`, { token: fresh });
    // The refused requester's own count was not spent: its personal export still works.
    await allowed('/api/me/export', { cookie: coOwnerCookie });
  }, 60_000);

  it('[DAT-01] every export is an audit event with its byte count and file list: workspace exports in the workspace log, personal ones in the control log', () => {
    const exports = workspaceEvents(enclave, workspaceId).filter((event) => event.action === 'workspace.export');
    expect(exports.length).toBeGreaterThanOrEqual(3);
    const first = exports[0]!;
    expect(first).toMatchObject({ actor_type: 'user', actor_id: owner.id, target_type: 'workspace', target_id: workspaceId, outcome: 'success' });
    const details = JSON.parse(first.details) as { bytes: number; files: string[]; formatVersion: number };
    expect(details.files).toEqual([...workspaceArchive.manifest.files.map((file) => file.path), 'manifest.json']);
    const listedBytes = workspaceArchive.manifest.files.reduce((sum, file) => sum + file.bytes, 0) + workspaceArchive.file('manifest.json').length;
    expect(details.bytes).toBe(listedBytes);
    expect(details.formatVersion).toBe(1);
    const personal = controlEvents(enclave).filter((event) => event.action === 'user.export');
    expect(personal.length).toBeGreaterThanOrEqual(2);
    expect(personal.every((event) => event.outcome === 'success' && event.target_type === 'user' && event.target_id === event.actor_id)).toBe(true);
    expect((JSON.parse(personal[0]!.details) as { files: string[] }).files).toContain('audit-log.jsonl');
  });

  it('[DAT-01] a download abandoned halfway stops the export and is audited as a failure, and the server carries on', async () => {
    const workspace = await enclave.createWorkspace('Abandoned Co');
    const setup = { actor: { type: 'operator' as const, id: 'test-setup' } };
    const { datasets } = enclave.server.platform;
    await datasets.create(workspace.id, { name: 'bulk', columns: [{ name: 'id', type: 'integer', nullable: false }, { name: 'note', type: 'text', nullable: true }], primaryKey: ['id'] }, setup);
    // Far more than socket buffers hold (about 24 MB), so the server is still writing when the client leaves.
    const note = 'n'.repeat(1200);
    for (let batch = 0; batch < 20; batch++) {
      const upserts = Array.from({ length: 1000 }, (_, index) => ({ id: batch * 1000 + index, note }));
      await datasets.applyBatch(workspace.id, 'bulk', { batchId: `bulk-${batch}`, upserts, deletes: [] }, setup);
    }
    const controller = new AbortController();
    const response = await fetch(`${enclave.url}/api/w/${workspace.id}/export`, { headers: { authorization: `Bearer ${workspace.token}` }, signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    controller.abort();
    await expect
      .poll(() => workspaceEvents(enclave, workspace.id).filter((event) => event.action === 'workspace.export').map((event) => [event.outcome, JSON.parse(event.details).reason]), { timeout: 30_000 })
      .toEqual([['failure', 'aborted']]);
    expect((await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: workspace.token })).status).toBe(200);
  }, 120_000);

  it('[DAT-01] `enclave export --json` writes the archive (mode 0600) as the operator, with progress on stderr, unlimited by the hourly count and audited', async () => {
    const help = await runEnclave(['export', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout + help.stderr).toContain('--workspace');
    const out = join(mkdtempSync(join(tmpdir(), 'enclave-export-cli-')), 'workspace.tar');
    const result = await runEnclave(['export', '--data-dir', enclave.dataDir, '--workspace', workspaceId, '--out', out, '--json'], { env: { USER: 'ops-person' }, timeoutMs: 60_000 });
    expect(result.stderr).not.toContain('enclave:');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { path: string; workspaceId: string; files: number; bytes: number; formatVersion: number };
    expect(summary).toMatchObject({ path: out, workspaceId, formatVersion: 1 });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const archive = readArchive(readFileSync(out));
    expect(summary.files).toBe(archive.paths.length);
    expect(archive.lines('datasets/customers.jsonl')).toEqual(ROWS);
    expect(result.stderr).toContain('datasets/customers.jsonl: 2345 lines');
    expect(result.stderr).toMatch(/manifest\.json: \d+ lines, \d+ bytes/);
    const operatorExport = workspaceEvents(enclave, workspaceId).filter((event) => event.action === 'workspace.export' && event.actor_type === 'operator');
    expect(operatorExport).toHaveLength(1);
    expect(operatorExport[0]!.actor_id).toBe('ops-person');
    expect(JSON.parse(operatorExport[0]!.details).bytes).toBe(summary.bytes);

    // An existing file is never overwritten, and a bad workspace id is refused by name.
    writeFileSync(join(out, '..', 'taken.tar'), 'mine');
    const taken = await runEnclave(['export', '--data-dir', enclave.dataDir, '--workspace', workspaceId, '--out', join(out, '..', 'taken.tar')]);
    expect(taken.code).not.toBe(0);
    expect(readFileSync(join(out, '..', 'taken.tar'), 'utf8')).toBe('mine');
    const unknown = await runEnclave(['export', '--data-dir', enclave.dataDir, '--workspace', `ws_${'0'.repeat(32)}`, '--out', join(out, '..', 'none.tar')]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no workspace');
    expect(existsSync(join(out, '..', 'none.tar'))).toBe(false);
  }, 120_000);
});
