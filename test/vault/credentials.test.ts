import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEnclave } from '../helpers/cli.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { readWithSqlcipher } from '../helpers/witness.ts';

const CANARY = 'sk-canary-0f3b9c1d7e5a4b2c8d6e0f1a2b3c4d5e';

interface Credential {
  id: string;
  hint: string;
  scopes: { workflow: string; node?: string }[];
  disabled: boolean;
}

describe('the credential vault', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;
  let other: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Vault Co');
    other = await enclave.createWorkspace('Other Co');
  });
  afterAll(() => enclave.close());

  const call = (method: string, path: string, body?: unknown, target = workspace) =>
    enclave.request(method, `/api/w/${target.id}/credentials${path}`, { token: target.token, body });
  const create = async (body: unknown, target = workspace) => {
    const response = await call('POST', '', body, target);
    const text = await response.text();
    expect(response.status, text).toBe(201);
    return { credential: JSON.parse(text) as Credential, text };
  };
  const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;
  const dbKey = async (target: TestWorkspace) =>
    (await runEnclave(['keys', 'show', '--data-dir', enclave.dataDir, '--workspace', target.id, '--purpose', 'db'])).stdout.trim();
  const dbPath = (target: TestWorkspace) => join(enclave.dataDir, 'workspaces', target.id, 'workspace.db');
  /** Edits a row as an attacker holding the database key would, through the server's own connection. */
  const tamper = (target: TestWorkspace, sql: string, ...values: unknown[]) => enclave.server.platform.databases.open(target.id).db.prepare(sql).run(...values);

  it('[VLT-03] no route ever answers with the secret: create, list, get, update and replace give metadata and a short hint', async () => {
    const { credential, text } = await create({ name: 'OpenAI production', preset: 'openai', secret: { kind: 'bearer', token: CANARY }, scopes: [{ workflow: 'Nightly report', node: 'summarise' }] });
    expect(credential.hint).toBe(`…${CANARY.slice(-4)}`);
    const answers = [
      text,
      await (await call('GET', '')).text(),
      await (await call('GET', `/${credential.id}`)).text(),
      await (await call('PATCH', `/${credential.id}`, { name: 'OpenAI prod' })).text(),
      await (await call('PUT', `/${credential.id}/secret`, { secret: { kind: 'bearer', token: `${CANARY}-v2` } })).text(),
      await (await call('POST', `/${credential.id}/check`)).text(),
    ];
    for (const answer of answers) {
      expect(answer).not.toContain(CANARY.slice(0, 20));
    }
    const events = await (await enclave.request('GET', `/api/w/${workspace.id}/audit-events?limit=1000`, { token: workspace.token })).text();
    expect(events).toContain('credential.create');
    expect(events).not.toContain(CANARY.slice(0, 20));
    expect(enclave.logs.join('\n')).not.toContain(CANARY.slice(0, 20));
  });

  it('[VLT-01] the database holds only ciphertext: not in the file, and not in any column once the file is decrypted', async () => {
    const { credential } = await create({ name: 'GitHub', secret: { kind: 'basic', username: 'robot', password: `${CANARY}-gh` } });
    enclave.server.platform.databases.open(workspace.id).db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(dbPath(workspace)).includes(Buffer.from(CANARY.slice(0, 20)))).toBe(false);
    const rows = readWithSqlcipher<Record<string, unknown>>(dbPath(workspace), await dbKey(workspace), 'SELECT * FROM vault_credential');
    expect(rows.map((row) => row.id)).toContain(credential.id);
    const dump = JSON.stringify(rows, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value));
    expect(dump).not.toContain(CANARY.slice(0, 20));
    expect(dump).not.toContain('robot');
  });

  it('[VLT-01] a flipped ciphertext byte, a ciphertext moved to another credential, and one moved to another workspace all fail to decrypt', async () => {
    const victim = (await create({ name: 'Stripe', preset: 'stripe', secret: { kind: 'bearer', token: `${CANARY}-stripe` } })).credential;
    const decoy = (await create({ name: 'Slack', preset: 'slack', secret: { kind: 'bearer', token: `${CANARY}-slack` } })).credential;
    const foreign = (await create({ name: 'Slack', preset: 'slack', secret: { kind: 'bearer', token: `${CANARY}-other` } }, other)).credential;
    expect((await call('POST', `/${victim.id}/check`)).status).toBe(200);

    const db = enclave.server.platform.databases.open(workspace.id).db;
    const stored = db.prepare('SELECT wrapped_key, ciphertext FROM vault_credential WHERE id = ?').get(victim.id) as { wrapped_key: Buffer; ciphertext: Buffer };
    const flipped = Buffer.from(stored.ciphertext);
    flipped[flipped.length - 1]! ^= 0x01;
    tamper(workspace, 'UPDATE vault_credential SET ciphertext = ? WHERE id = ?', flipped, victim.id);
    const broken = await call('POST', `/${victim.id}/check`);
    expect(broken.status).toBe(409);
    expect(await errorCode(broken)).toBe('credential_unreadable');

    tamper(workspace, 'UPDATE vault_credential SET wrapped_key = ?, ciphertext = ? WHERE id = ?', stored.wrapped_key, stored.ciphertext, decoy.id);
    expect(await errorCode(await call('POST', `/${decoy.id}/check`))).toBe('credential_unreadable');

    tamper(other, 'UPDATE vault_credential SET wrapped_key = ?, ciphertext = ? WHERE id = ?', stored.wrapped_key, stored.ciphertext, foreign.id);
    expect(await errorCode(await call('POST', `/${foreign.id}/check`, undefined, other))).toBe('credential_unreadable');
  });

  it('[VLT-01] changing the scope re-seals the secret under the new scope; the old sealed value no longer opens in its place', async () => {
    const { credential } = await create({ name: 'Notion', preset: 'notion', secret: { kind: 'bearer', token: `${CANARY}-notion` }, scopes: [{ workflow: 'Sync pages' }] });
    const db = enclave.server.platform.databases.open(workspace.id).db;
    const before = db.prepare('SELECT wrapped_key, ciphertext FROM vault_credential WHERE id = ?').get(credential.id) as { wrapped_key: Buffer; ciphertext: Buffer };
    const patched = (await (await call('PATCH', `/${credential.id}`, { scopes: [{ workflow: 'Sync pages' }, { workflow: 'Weekly digest', node: 'fetch' }] })).json()) as Credential;
    expect(patched.scopes).toEqual([{ workflow: 'Sync pages' }, { workflow: 'Weekly digest', node: 'fetch' }]);
    expect((await call('POST', `/${credential.id}/check`)).status).toBe(200);
    tamper(workspace, 'UPDATE vault_credential SET wrapped_key = ?, ciphertext = ? WHERE id = ?', before.wrapped_key, before.ciphertext, credential.id);
    expect(await errorCode(await call('POST', `/${credential.id}/check`))).toBe('credential_unreadable');
    // Re-scoping a secret that no longer opens is refused the same way, never a 500.
    const rescoped = await call('PATCH', `/${credential.id}`, { scopes: [] });
    expect(rescoped.status).toBe(409);
    expect(await errorCode(rescoped)).toBe('credential_unreadable');
  });

  it('[WEB-02] bad credential input gets a specific 4xx and stores nothing', async () => {
    const count = () => enclave.server.platform.vault.list(workspace.id).length;
    const before = count();
    const bad: [unknown, number, string][] = [
      [{ name: 'x', secret: { kind: 'bearer' } }, 400, 'invalid_request'],
      [{ name: 'x', secret: { kind: 'magic', token: 'y' } }, 400, 'invalid_request'],
      [{ name: 'x', secret: { kind: 'header', header: 'bad header', value: 'y' } }, 400, 'invalid_request'],
      [{ name: 'x', secret: { kind: 'oauth_client', clientId: 'a', clientSecret: 'b', tokenUrl: 'http://plain.example/token' } }, 400, 'invalid_request'],
      [{ name: 'x', preset: 'anthropic', secret: { kind: 'bearer', token: 'y' } }, 400, 'preset_mismatch'],
      [{ name: 'x', preset: 'nope', secret: { kind: 'bearer', token: 'y' } }, 400, 'unknown_preset'],
      [{ name: 'x', secret: { kind: 'bearer', token: 'y' }, scopes: [{ workflow: "'; DROP TABLE x; --" }] }, 400, 'invalid_request'],
      [{ name: 'x', secret: { kind: 'bearer', token: 'y' }, extra: true }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of bad) {
      const response = await call('POST', '', body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(await errorCode(response)).toBe(code);
    }
    expect((await call('PATCH', '/cred_00000000000000000000000000000000', { name: 'y' })).status).toBe(404);
    expect((await call('GET', '/not-an-id')).status).toBe(400);
    expect((await call('PATCH', `/${enclave.server.platform.vault.list(workspace.id)[0]!.id}`, {})).status).toBe(400);
    expect(count()).toBe(before);
  });

  it('[ACC-01] a viewer key cannot list, create or delete credentials; a builder key can manage them', async () => {
    const viewer = await enclave.addKey(workspace.id, 'viewer');
    const builder = await enclave.addKey(workspace.id, 'builder');
    const as = (token: string, method: string, path: string, body?: unknown) => enclave.request(method, `/api/w/${workspace.id}/credentials${path}`, { token, body });
    expect((await as(viewer, 'GET', '')).status).toBe(403);
    expect((await as(viewer, 'POST', '', { name: 'x', secret: { kind: 'bearer', token: 'y' } })).status).toBe(403);
    const made = await as(builder, 'POST', '', { name: 'Builder tool', secret: { kind: 'bearer', token: 'y' } });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as Credential;
    expect((await as(viewer, 'DELETE', `/${id}`)).status).toBe(403);
    expect((await as(builder, 'PATCH', `/${id}`, { disabled: true })).status).toBe(200);
    expect((await as(builder, 'DELETE', `/${id}`)).status).toBe(204);
    expect((await as(builder, 'GET', `/${id}`)).status).toBe(404);
  });
});
