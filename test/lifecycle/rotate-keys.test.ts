import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aeadOpen } from '../../src/core/aead.ts';
import { DatabaseKeyError, openEncryptedDatabase } from '../../src/core/database.ts';
import { deriveWorkspaceKey, Keyring, readMasterKeyFile, type MasterKey } from '../../src/core/keyring.ts';
import { contexts } from '../../src/vault/service.ts';
import { runEnclave } from '../helpers/cli.ts';
import { runEnclaveKilledAt } from '../helpers/cli-kill.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

const CANARY = 'sk-rotation-canary-7d41c0e29b8a4f65a1c3';

/**
 * A real SIGKILL at a known step: ENCLAVE_TEST_ROTATION_PAUSE_AT makes `rotate-keys` stop
 * (without exiting) after the first progress line containing `at`, and the kill lands there.
 */
const rotateAndKill = (dataDir: string, at: string) => runEnclaveKilledAt(['rotate-keys', '--data-dir', dataDir], at, { ENCLAVE_TEST_ROTATION_PAUSE_AT: at });

interface Fixture {
  workspace: TestWorkspace;
  credentials: string[];
  seed: Buffer;
}

describe('enclave rotate-keys', () => {
  let enclave: TestServer;
  let dataDir: string;
  const fixtures: Fixture[] = [];
  let oldMaster: MasterKey;
  let oldMasterFile: string;

  const shape = { name: 'ledger', columns: [{ name: 'id', type: 'integer' }, { name: 'memo', type: 'text' }], primaryKey: ['id'] };

  beforeAll(async () => {
    enclave = await startTestServer();
    dataDir = enclave.dataDir;
    for (const name of ['Alpha', 'Beta', 'Gamma']) {
      const workspace = await enclave.createWorkspace(name);
      const post = (path: string, body: unknown) => enclave.request('POST', `/api/w/${workspace.id}${path}`, { token: workspace.token, body });
      expect((await post('/datasets', shape)).status).toBe(201);
      const upserts = Array.from({ length: 50 }, (_, id) => ({ id, memo: `${name} row ${id}` }));
      expect((await post('/datasets/ledger/batches', { batchId: `${name}-1`, upserts })).status).toBeLessThan(300);
      const credentials: string[] = [];
      for (const label of ['first', 'second']) {
        const response = await post('/credentials', { name: `${name} ${label}`, secret: { kind: 'bearer', token: `${CANARY}-${name}-${label}` } });
        expect(response.status).toBe(201);
        credentials.push(((await response.json()) as { id: string }).id);
      }
      fixtures.push({ workspace, credentials, seed: enclave.server.platform.workspaces.seedOf(workspace.id)! });
    }
    oldMasterFile = readFileSync(join(dataDir, 'keys', 'master.key'), 'utf8');
    oldMaster = readMasterKeyFile(dataDir)!;
  });
  let stopped = false;
  afterAll(async () => {
    if (!stopped) await enclave.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 180_000);

  it('[CRY-03] --help says the command is offline and resumable', async () => {
    const help = await runEnclave(['rotate-keys', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Offline: stop the server first');
    expect(help.stdout).toContain('Resumable');
    expect(help.stdout).toContain('--json');
  }, 180_000);

  it('[CRY-03] refuses while the server has the data dir open, and changes nothing', async () => {
    const result = await runEnclave(['rotate-keys', '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('stop the server first');
    expect(readFileSync(join(dataDir, 'keys', 'master.key'), 'utf8')).toBe(oldMasterFile);
    expect(existsSync(join(dataDir, 'keys', 'rotation.json'))).toBe(false);
  }, 180_000);

  it('[CRY-03] a rotation SIGKILLed four times (mid master key, mid workspaces) and run again loses nothing; old keys open nothing', async () => {
    // Stops the server but keeps its data dir (TestServer.close would delete it).
    await enclave.server.close();
    stopped = true;

    // 1. Killed with one seed re-wrapped under the new master key and the others not.
    const first = await rotateAndKill(dataDir, 'seed 2/3');
    expect(first.signal, first.stderr).toBe('SIGKILL');
    expect(first.stderr).toContain('seed 1/3');
    expect(existsSync(join(dataDir, 'keys', 'rotation.json'))).toBe(true);
    // Nothing may open the data dir while the rotation is unfinished.
    await expect(startTestServer({ dataDir })).rejects.toThrow(/key rotation is unfinished/);

    // 2. Resumed; killed as the second workspace starts (master key done, workspace 1 done).
    const second = await rotateAndKill(dataDir, 'workspace 2/3');
    expect(second.signal).toBe('SIGKILL');
    expect(second.stderr).toContain('resuming the key rotation');
    expect(second.stderr).toContain('replacing the key file');
    expect(second.stderr).toContain(`workspace 1/3 ${fixtures[0]!.workspace.id}: vault key v1 → v2, 2 credential(s) to re-wrap`);

    // 3. Resumed; killed between the third workspace's database rekey and its vault re-wrap.
    const third = await rotateAndKill(dataDir, 'workspace 3/3');
    expect(third.signal).toBe('SIGKILL');
    const fourth = await rotateAndKill(dataDir, `workspace 3/3 ${fixtures[2]!.workspace.id}: vault key`);
    expect(fourth.signal).toBe('SIGKILL');
    expect(fourth.stderr).toContain(`workspace 3/3 ${fixtures[2]!.workspace.id}: database key v1 → v2`);

    // 4. Finishes.
    const last = await runEnclave(['rotate-keys', '--data-dir', dataDir, '--json'], { timeoutMs: 60_000 });
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toContain('key rotation complete');
    const summary = JSON.parse(last.stdout) as { resumed: boolean; masterKey: { from: number; to: number }; workspaces: { id: string; dbKeyVersion: number; vaultKeyVersion: number; credentialsRewrapped: number }[] };
    expect(summary.resumed).toBe(true);
    expect(summary.masterKey).toEqual({ from: 1, to: 2 });
    expect(summary.workspaces).toEqual([{ id: fixtures[2]!.workspace.id, dbKeyVersion: 2, vaultKeyVersion: 2, credentialsRewrapped: 2 }]);
    expect(existsSync(join(dataDir, 'keys', 'rotation.json'))).toBe(false);

    // Audit chains, including the rotation's own events, verify offline.
    const verified = await runEnclave(['verify-audit', '--data-dir', dataDir], { timeoutMs: 60_000 });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);

    // Everything reads and every credential decrypts through the restarted server.
    const restarted = await startTestServer({ dataDir });
    for (const [index, { workspace, credentials }] of fixtures.entries()) {
      const rows = await restarted.request('GET', `/api/w/${workspace.id}/datasets/ledger/rows?limit=100`, { token: workspace.token });
      const page = await rows.text();
      expect(rows.status, page).toBe(200);
      const name = ['Alpha', 'Beta', 'Gamma'][index]!;
      for (const id of [0, 25, 49]) expect(page).toContain(`${name} row ${id}`);
      for (const credential of credentials) {
        const check = await restarted.request('POST', `/api/w/${workspace.id}/credentials/${credential}/check`, { token: workspace.token });
        expect(check.status).toBe(200);
        expect(await check.json()).toEqual({ intact: true });
      }
      // A credential sealed after the rotation uses the new vault key version and opens too.
      const created = await restarted.request('POST', `/api/w/${workspace.id}/credentials`, { token: workspace.token, body: { name: 'after', secret: { kind: 'bearer', token: `${CANARY}-after` } } });
      const { id } = (await created.json()) as { id: string };
      expect((await restarted.request('POST', `/api/w/${workspace.id}/credentials/${id}/check`, { token: workspace.token })).status).toBe(200);
      const events = await (await restarted.request('GET', `/api/w/${workspace.id}/audit-events?limit=1000`, { token: workspace.token })).text();
      expect(events).toContain('workspace.keys.rotate');
      const verification = await restarted.request('GET', `/api/w/${workspace.id}/audit-events/verification`, { token: workspace.token });
      expect(((await verification.json()) as { ok: boolean }).ok).toBe(true);
    }
    expect(restarted.server.platform.verifyControlAudit().ok).toBe(true);
    expect(restarted.logs.join('\n')).not.toContain(CANARY);
    await restarted.close();

    // The old master key file is gone, and nothing in keys/ holds the old key.
    const newMaster = readMasterKeyFile(dataDir)!;
    expect(newMaster.version).toBe(2);
    expect(newMaster.key.equals(oldMaster.key)).toBe(false);
    for (const file of readdirSync(join(dataDir, 'keys'))) {
      expect(readFileSync(join(dataDir, 'keys', file), 'utf8')).not.toContain(oldMaster.key.toString('hex'));
    }
    // The old master key opens neither the control database nor any seed in it.
    const controlPath = join(dataDir, 'control', 'control.db');
    expect(() => openEncryptedDatabase(controlPath, { key: new Keyring(oldMaster).controlDatabaseKey(), readonly: true })).toThrow(DatabaseKeyError);
    const control = openEncryptedDatabase(controlPath, { key: new Keyring(newMaster).controlDatabaseKey(), readonly: true });
    try {
      for (const { workspace, credentials, seed } of fixtures) {
        const row = control.prepare('SELECT seed_wrapped, db_key_version, vault_key_version FROM workspace WHERE id = ?').get(workspace.id) as { seed_wrapped: Buffer; db_key_version: number; vault_key_version: number };
        expect([row.db_key_version, row.vault_key_version]).toEqual([2, 2]);
        expect(() => new Keyring(oldMaster).unwrapSeed(workspace.id, row.seed_wrapped)).toThrow();
        expect(new Keyring(newMaster).unwrapSeed(workspace.id, row.seed_wrapped).equals(seed)).toBe(true);

        // The previous database key no longer opens the workspace file; the new one does.
        const path = join(dataDir, 'workspaces', workspace.id, 'workspace.db');
        expect(() => openEncryptedDatabase(path, { key: deriveWorkspaceKey(seed, workspace.id, 'db', 1), readonly: true })).toThrow(DatabaseKeyError);
        const db = openEncryptedDatabase(path, { key: deriveWorkspaceKey(seed, workspace.id, 'db', 2), readonly: true });
        try {
          // The previous vault key no longer unwraps any data key: each is wrapped under version 2 now.
          for (const credential of credentials) {
            const stored = db.prepare('SELECT key_version, scopes, wrapped_key FROM vault_credential WHERE id = ?').get(credential) as { key_version: number; scopes: string; wrapped_key: Buffer };
            expect(stored.key_version).toBe(2);
            const keyContext = contexts(workspace.id, credential, stored.scopes).key;
            expect(() => aeadOpen(deriveWorkspaceKey(seed, workspace.id, 'vault', 1), keyContext, stored.wrapped_key)).toThrow();
            expect(aeadOpen(deriveWorkspaceKey(seed, workspace.id, 'vault', 2), keyContext, stored.wrapped_key)).toHaveLength(32);
          }
        } finally {
          db.close();
        }
      }
    } finally {
      control.close();
    }
  }, 180_000);
});
