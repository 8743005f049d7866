import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEnclave } from '../helpers/cli.ts';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('files on disk are owner-only', () => {
  it('[ACC-05] init and workspace creation leave 0700 directories and 0600 files', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'enclave-modes-')), 'data');
    expect((await runEnclave(['init', '--data-dir', dataDir])).code).toBe(0);
    const created = await runEnclave(['workspaces', 'create', '--data-dir', dataDir, '--name', 'Modes', '--json']);
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    for (const dir of ['', 'keys', 'control', 'workspaces', `workspaces/${id}`]) {
      expect(mode(join(dataDir, dir)), dir || 'data dir').toBe(0o700);
    }
    for (const file of ['keys/master.key', 'control/control.db', `workspaces/${id}/workspace.db`, `workspaces/${id}/audit-checkpoints.jsonl`]) {
      expect(mode(join(dataDir, file)), file).toBe(0o600);
    }
  });

  it('[ACC-05] a master key file readable by others stops start-up with a clear error', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'enclave-modes-')), 'data');
    expect((await runEnclave(['init', '--data-dir', dataDir])).code).toBe(0);
    const keyFile = join(dataDir, 'keys', 'master.key');
    chmodSync(keyFile, 0o644);
    const started = await runEnclave(['serve', '--data-dir', dataDir, '--port', '0']);
    expect(started.code).toBe(2);
    expect(started.stderr).toContain(`master key file ${keyFile} has mode 0644`);
    expect(started.stderr).toContain(`chmod 600 ${keyFile}`);
    expect(started.stdout).not.toContain('listening');
  });

  it('[ACC-05] init refuses to overwrite an existing master key', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'enclave-modes-')), 'data');
    expect((await runEnclave(['init', '--data-dir', dataDir])).code).toBe(0);
    const again = await runEnclave(['init', '--data-dir', dataDir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('refusing to overwrite');
  });
});
