import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEnclave } from '../helpers/cli.ts';
import { runEnclaveKilledAt } from '../helpers/cli-kill.ts';
import { readWithSqlcipher } from '../helpers/witness.ts';

const root = mkdtempSync(join(tmpdir(), 'enclave-rotate-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function ok(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = await runEnclave(args, { env, timeoutMs: 90_000 });
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

describe('enclave rotate-keys with the rest of the installation', () => {
  it('[CRY-03] after a rotation the printed db key opens the file in upstream SQLCipher, and a backup taken afterwards passes the restore drill with the rotated key file', async () => {
    const dataDir = join(root, 'data');
    await ok(['init', '--data-dir', dataDir]);
    const ids: string[] = [];
    for (const name of ['North', 'South']) {
      ids.push((await ok(['workspaces', 'create', '--data-dir', dataDir, '--name', name, '--json'])).stdout.match(/ws_[0-9a-f]+/)![0]);
    }
    const before = (await ok(['keys', 'show', '--data-dir', dataDir, '--workspace', ids[0]!, '--purpose', 'db'])).stdout.trim();
    await ok(['rotate-keys', '--data-dir', dataDir]);
    const after = (await ok(['keys', 'show', '--data-dir', dataDir, '--workspace', ids[0]!, '--purpose', 'db'])).stdout.trim();
    expect(after).not.toBe(before);
    const path = join(dataDir, 'workspaces', ids[0]!, 'workspace.db');
    expect(readWithSqlcipher(path, after, 'SELECT count(*) AS n FROM sqlite_master').length).toBe(1);
    expect(() => readWithSqlcipher(path, before, 'SELECT count(*) AS n FROM sqlite_master')).toThrow();

    await ok(['backup', '--data-dir', dataDir, '--to', join(root, 'backups'), '--json']);
    const drill = await ok([
      'restore-drill',
      '--data-dir', dataDir,
      '--from', join(root, 'backups'),
      '--identity', join(dataDir, 'keys', 'backup-identity.txt'),
      '--master-key-file', join(dataDir, 'keys', 'master.key'),
      '--json',
    ]);
    expect((JSON.parse(drill.stdout) as { ok: boolean }).ok).toBe(true);
  }, 180_000);

  it('[CRY-03] killed without warning wherever a progress line finds it (mid re-wrap or mid rekey), run after run, the rotation still completes with every workspace readable', async () => {
    const dataDir = join(root, 'unwarned');
    await ok(['init', '--data-dir', dataDir]);
    for (const name of ['One', 'Two', 'Three']) await ok(['workspaces', 'create', '--data-dir', dataDir, '--name', name]);
    // No pause hook: each kill lands wherever the process has got to after printing the line.
    const kills = [];
    for (const at of ['seed 1/3', 'rekeying the control database', 'workspace 1/3', 'workspace 2/3', 'workspace 3/3']) {
      kills.push(await runEnclaveKilledAt(['rotate-keys', '--data-dir', dataDir], at));
    }
    expect(kills[0]!.signal).toBe('SIGKILL');
    const last = await ok(['rotate-keys', '--data-dir', dataDir, '--json']);
    const summary = JSON.parse(last.stdout) as { masterKey: { to: number } | null };
    // Either this run finished the interrupted rotation (master key v2), or an earlier one got to
    // the end before its kill landed and this run is a second, complete rotation (v3).
    expect([2, 3]).toContain(summary.masterKey?.to);
    const verified = await ok(['verify-audit', '--data-dir', dataDir]);
    expect(verified.stdout.match(/ws_[0-9a-f]+: ok/g)).toHaveLength(3);
  }, 180_000);

  it('[CRY-03] a master key from ENCLAVE_MASTER_KEY is not rotated here; --workspaces-only rotates the workspace keys and keeps everything readable', async () => {
    const dataDir = join(root, 'env-data');
    const env = { ENCLAVE_MASTER_KEY: randomBytes(32).toString('hex') };
    await ok(['workspaces', 'create', '--data-dir', dataDir, '--name', 'Env Co'], env);
    const refused = await runEnclave(['rotate-keys', '--data-dir', dataDir], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--workspaces-only');
    const rotated = await ok(['rotate-keys', '--data-dir', dataDir, '--workspaces-only', '--json'], env);
    const summary = JSON.parse(rotated.stdout) as { masterKey: unknown; workspaces: { dbKeyVersion: number; vaultKeyVersion: number }[] };
    expect(summary.masterKey).toBeNull();
    expect(summary.workspaces.map((w) => [w.dbKeyVersion, w.vaultKeyVersion])).toEqual([[2, 2]]);
    const verified = await ok(['verify-audit', '--data-dir', dataDir], env);
    expect(verified.stdout).toMatch(/ws_[0-9a-f]+: ok/);
  }, 180_000);
});
