import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

interface Created {
  apiKey: { id: string; hint: string };
  token: string;
}

describe('workspace API keys', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Keys Co');
  });
  afterAll(() => enclave.close());

  const create = async (body: unknown) => enclave.request('POST', `/api/w/${workspace.id}/api-keys`, { token: workspace.token, body });

  it('[CRY-02] a new key is 256 random bits, shown once, and stored only as its SHA-256', async () => {
    const response = await create({ name: 'ci', role: 'viewer' });
    expect(response.status).toBe(201);
    const { apiKey, token } = (await response.json()) as Created;
    expect(token).toMatch(/^enk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
    const listing = await (await enclave.request('GET', `/api/w/${workspace.id}/api-keys`, { token: workspace.token })).text();
    expect(listing).toContain(apiKey.id);
    expect(listing).not.toContain(token);
    expect(listing).not.toContain(token.slice(8));
    const stored = enclave.server.platform.controlDb
      .prepare('SELECT token_hash FROM api_key WHERE id = ?')
      .get(apiKey.id) as { token_hash: string };
    const { createHash } = await import('node:crypto');
    expect(stored.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    enclave.server.platform.controlDb.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(join(enclave.dataDir, 'control', 'control.db'));
    expect(file.includes(Buffer.from(token))).toBe(false);
  });

  it('[ACC-06] a revoked key fails on its very next request', async () => {
    const { apiKey, token } = (await (await create({ name: 'temp', role: 'admin' })).json()) as Created;
    expect((await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token })).status).toBe(200);
    const revoked = await enclave.request('DELETE', `/api/w/${workspace.id}/api-keys/${apiKey.id}`, { token: workspace.token });
    expect(revoked.status).toBe(204);
    const after = await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('[ACC-06] an expired key is refused', async () => {
    const { token } = (await (await create({ name: 'short', role: 'viewer', expiresAt: new Date(Date.now() + 1500).toISOString() })).json()) as Created;
    expect((await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token })).status).toBe(401);
  });

  it('[WEB-02] bad key requests get a specific 400 and create nothing', async () => {
    const before = enclave.server.platform.apiKeys.list(workspace.id).length;
    for (const body of [{ name: 'x', role: 'superuser' }, { name: '', role: 'viewer' }, { name: 'x', role: 'viewer', scopes: ['*'] }, { name: 'x', role: 'viewer', expiresAt: 'tomorrow' }]) {
      const response = await create(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    const past = await create({ name: 'x', role: 'viewer', expiresAt: '2001-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(((await past.json()) as { error: { code: string } }).error.code).toBe('invalid_expiry');
    expect(enclave.server.platform.apiKeys.list(workspace.id)).toHaveLength(before);
  });

  it('[ACC-01] a viewer key may read but not manage keys, change the profile or read the audit log', async () => {
    const viewer = await enclave.addKey(workspace.id, 'viewer');
    expect((await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: viewer })).status).toBe(200);
    for (const [method, path, body] of [
      ['PATCH', '/profile', { description: 'viewer edit' }],
      ['GET', '/api-keys', undefined],
      ['POST', '/api-keys', { name: 'x', role: 'owner' }],
      ['GET', '/audit-events', undefined],
    ] as const) {
      const response = await enclave.request(method, `/api/w/${workspace.id}${path}`, { token: viewer, body });
      expect(response.status, `${method} ${path}`).toBe(403);
    }
  });

  it('[LOG-01] creating and revoking a key are events in the workspace audit log, with actor, IP and user agent', async () => {
    const { apiKey } = (await (await enclave.request('POST', `/api/w/${workspace.id}/api-keys`, { token: workspace.token, body: { name: 'audited', role: 'builder' }, headers: { 'user-agent': 'audit-check/1.0' } })).json()) as Created;
    await enclave.request('DELETE', `/api/w/${workspace.id}/api-keys/${apiKey.id}`, { token: workspace.token });
    const { events } = (await (await enclave.request('GET', `/api/w/${workspace.id}/audit-events?limit=1000`, { token: workspace.token })).json()) as {
      events: { action: string; target: { id: string }; actor: { type: string }; ip: string; userAgent: string; requestId: string; details: Record<string, unknown> }[];
    };
    const created = events.find((e) => e.action === 'api_key.create' && e.target.id === apiKey.id);
    expect(created).toMatchObject({ actor: { type: 'api_key' }, ip: '127.0.0.1', userAgent: 'audit-check/1.0', details: { role: 'builder', name: 'audited' } });
    expect(created?.requestId).toMatch(/^req_/);
    expect(events.some((e) => e.action === 'api_key.revoke' && e.target.id === apiKey.id)).toBe(true);
  });

  it('[ACC-01] any key can read its own metadata and role, never its secret', async () => {
    const viewer = await enclave.addKey(workspace.id, 'viewer');
    const response = await enclave.request('GET', `/api/w/${workspace.id}/api-keys/current`, { token: viewer });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ role: 'viewer', revokedAt: null });
    expect(text).not.toContain(viewer);
  });

  it('[ACC-01] an admin can neither mint an owner key nor revoke one; an owner can (no escalation through keys)', async () => {
    const admin = await enclave.addKey(workspace.id, 'admin');
    const owners = () => enclave.server.platform.apiKeys.list(workspace.id).filter((key) => key.role === 'owner' && !key.revokedAt);
    const before = owners().length;
    const minted = await enclave.request('POST', `/api/w/${workspace.id}/api-keys`, { token: admin, body: { name: 'escalate', role: 'owner' } });
    expect(minted.status).toBe(403);
    expect(((await minted.json()) as { error: { code: string } }).error.code).toBe('owner_required');
    expect(owners()).toHaveLength(before);
    const ownerKeyId = owners()[0]!.id;
    const revoked = await enclave.request('DELETE', `/api/w/${workspace.id}/api-keys/${ownerKeyId}`, { token: admin });
    expect(revoked.status).toBe(403);
    expect(owners()).toHaveLength(before);
    expect((await enclave.request('POST', `/api/w/${workspace.id}/api-keys`, { token: admin, body: { name: 'fine', role: 'admin' } })).status).toBe(201);
    expect((await enclave.request('POST', `/api/w/${workspace.id}/api-keys`, { token: workspace.token, body: { name: 'second owner', role: 'owner' } })).status).toBe(201);
  });

  it('[ACC-01] an admin member signed in with a session cannot mint an owner key either', async () => {
    const person = await enclave.createUser('Adam Admin');
    await enclave.addMember(workspace.id, person, 'admin');
    const cookie = await enclave.signIn(person);
    const minted = await enclave.request('POST', `/api/w/${workspace.id}/api-keys`, { cookie, body: { name: 'escalate', role: 'owner' }, headers: { origin: enclave.url } });
    expect(minted.status).toBe(403);
  });
});
