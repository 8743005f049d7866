import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEnclave } from '../helpers/cli.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { readWithSqlcipher } from '../helpers/witness.ts';

const MARKER = 'MARKER-plaintext-canary-7f3a9c';

describe('workspace databases are encrypted at rest', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;
  let databasePath: string;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Encrypted Ltd');
    const response = await enclave.request('PATCH', `/api/w/${workspace.id}/profile`, {
      token: workspace.token,
      body: { description: MARKER },
    });
    expect(response.status).toBe(200);
    databasePath = join(enclave.dataDir, 'workspaces', workspace.id, 'workspace.db');
    enclave.server.platform.databases.close();
  });
  afterAll(() => enclave.close());

  it('[CRY-01] the workspace file has no SQLite header and no plaintext of a value written through the API', () => {
    const files = readdirSync(join(enclave.dataDir, 'workspaces', workspace.id)).filter((f) => f.startsWith('workspace.db'));
    expect(files).toContain('workspace.db');
    for (const file of files) {
      const bytes = readFileSync(join(enclave.dataDir, 'workspaces', workspace.id, file));
      expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false);
      expect(bytes.includes(Buffer.from(MARKER))).toBe(false);
      expect(bytes.includes(Buffer.from('Encrypted Ltd'))).toBe(false);
    }
  });

  it('[CRY-01] the plain sqlite3 tool cannot read the workspace file', () => {
    const result = spawnSync('sqlite3', [databasePath, 'SELECT * FROM workspace_profile;'], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/not a database|encrypted/);
    expect(result.stdout).not.toContain(MARKER);
  });

  it('[CRY-01] the key printed by `enclave keys show` opens the file in upstream SQLCipher; a wrong key does not', async () => {
    const shown = await runEnclave(['keys', 'show', '--data-dir', enclave.dataDir, '--workspace', workspace.id, '--purpose', 'db']);
    expect(shown.code).toBe(0);
    const key = shown.stdout.trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const rows = readWithSqlcipher<{ description: string }>(databasePath, key, 'SELECT description FROM workspace_profile');
    expect(rows).toEqual([{ description: MARKER }]);
    const wrongKey = `${key.slice(0, 63)}${key.endsWith('0') ? '1' : '0'}`;
    expect(() => readWithSqlcipher(databasePath, wrongKey, 'SELECT description FROM workspace_profile')).toThrow(/not a database/);
  });

  it('[CRY-01] each workspace has its own key, derived per purpose', async () => {
    const other = await enclave.createWorkspace('Other Co');
    const keyOf = async (id: string, purpose: string) =>
      (await runEnclave(['keys', 'show', '--data-dir', enclave.dataDir, '--workspace', id, '--purpose', purpose])).stdout.trim();
    const keys = [await keyOf(workspace.id, 'db'), await keyOf(other.id, 'db'), await keyOf(workspace.id, 'vault')];
    expect(new Set(keys).size).toBe(3);
    const otherPath = join(enclave.dataDir, 'workspaces', other.id, 'workspace.db');
    expect(() => readWithSqlcipher(otherPath, keys[0]!, 'SELECT 1 FROM workspace_profile')).toThrow();
  });

  it('[LOG-01] revealing a key is recorded in the workspace audit log', async () => {
    const response = await enclave.request('GET', `/api/w/${workspace.id}/audit-events?limit=1000`, { token: workspace.token });
    const { events } = (await response.json()) as { events: { action: string; actor: { type: string }; details: { purpose?: string } }[] };
    const reveals = events.filter((e) => e.action === 'workspace.key.reveal');
    expect(reveals.length).toBeGreaterThanOrEqual(1);
    expect(reveals[0]).toMatchObject({ actor: { type: 'operator' }, details: { purpose: 'db' } });
  });
});
