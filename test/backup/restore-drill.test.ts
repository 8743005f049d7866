import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runEnclave } from '../helpers/cli.ts';

interface DrillReport {
  ok: boolean;
  backup: string;
  steps: { name: string; ok: boolean; ms: number; detail: string }[];
  totalMs: number;
  failedFile?: string;
}

interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
}

const drillDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('enclave-restore-drill-'));

describe('restore drills', () => {
  let root: string;
  let dataDir: string;
  let identity: string;
  let good: string;
  let workspaceFile: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'enclave-drill-test-'));
    dataDir = join(root, 'data');
    identity = join(dataDir, 'keys', 'backup-identity.txt');
    expect((await runEnclave(['init', '--data-dir', dataDir])).code).toBe(0);
    for (const name of ['First', 'Second']) {
      expect((await runEnclave(['workspaces', 'create', '--data-dir', dataDir, '--name', name])).code).toBe(0);
    }
    const backup = await runEnclave(['backup', '--data-dir', dataDir, '--to', join(root, 'backups'), '--json'], { timeoutMs: 60_000 });
    expect(backup.code).toBe(0);
    good = (JSON.parse(backup.stdout) as { path: string }).path;
    const manifest = JSON.parse(readFileSync(join(good, 'manifest.json'), 'utf8')) as { files: ManifestFile[] };
    workspaceFile = manifest.files.find((file) => file.path.endsWith('workspace.db.age'))!.path;
  }, 120_000);

  /** A copy of the good backup to damage. */
  function copyOfGood(): string {
    const copy = join(mkdtempSync(join(root, 'damaged-')), 'backup');
    cpSync(good, copy, { recursive: true });
    return copy;
  }

  const drill = (from: string, extra: string[] = []) =>
    runEnclave(['restore-drill', '--data-dir', dataDir, '--from', from, '--identity', identity, '--json', ...extra], { timeoutMs: 90_000 });

  it('[BKP-03] the drill restores the latest backup, starts Enclave on it, passes its smoke test with timings and removes everything', async () => {
    const before = drillDirs();
    // The target directory: the drill picks its newest backup. The master key comes from a file, as it would off the server.
    const result = await drill(join(root, 'backups'), ['--master-key-file', join(dataDir, 'keys', 'master.key')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as DrillReport;
    expect(report.ok).toBe(true);
    expect(report.backup).toBe(good);
    expect(report.steps.map((step) => step.name)).toEqual(['manifest', 'checksums', 'decrypt', 'start', 'audit chains', 'http smoke test', 'teardown']);
    for (const step of report.steps) {
      expect(step.ok, step.name).toBe(true);
      expect(Number.isInteger(step.ms), step.name).toBe(true);
    }
    expect(report.steps.find((step) => step.name === 'audit chains')!.detail).toMatch(/^3 chains, \d+ events verified$/);
    expect(report.steps.find((step) => step.name === 'http smoke test')!.detail).toContain('2 workspaces listed, opened and verified over HTTP');
    expect(drillDirs()).toEqual(before);
  }, 120_000);

  it('[BKP-03] a truncated backup file fails the drill loudly, naming the file', async () => {
    const damaged = copyOfGood();
    const path = join(damaged, workspaceFile);
    truncateSync(path, readFileSync(path).length - 100);
    const result = await drill(damaged);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`enclave: restore drill failed at checksums: ${workspaceFile}: is `);
    expect(result.stderr).toContain('truncated');
    const report = JSON.parse(result.stdout) as DrillReport;
    expect(report.ok).toBe(false);
    expect(report.failedFile).toBe(workspaceFile);
    expect(report.steps.map((step) => step.name)).toEqual(['manifest', 'checksums', 'teardown']);
  }, 120_000);

  it('[BKP-03] a bit-flipped backup file fails the drill loudly, naming the file', async () => {
    const damaged = copyOfGood();
    const path = join(damaged, workspaceFile);
    const bytes = readFileSync(path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(path, bytes);
    const result = await drill(damaged);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`enclave: restore drill failed at checksums: ${workspaceFile}: does not match its SHA-256 in the manifest`);
    expect((JSON.parse(result.stdout) as DrillReport).failedFile).toBe(workspaceFile);
  }, 120_000);

  it('[BKP-03] a bit flip hidden by editing the manifest fails the drill, naming the manifest', async () => {
    const damaged = copyOfGood();
    const path = join(damaged, workspaceFile);
    const bytes = readFileSync(path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(path, bytes);
    const manifestPath = join(damaged, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: ManifestFile[] };
    manifest.files.find((file) => file.path === workspaceFile)!.sha256 = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const result = await drill(damaged);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('enclave: restore drill failed at manifest: manifest.json: its MAC does not verify with this master key');
    expect((JSON.parse(result.stdout) as DrillReport).failedFile).toBe('manifest.json');
  }, 120_000);

  it('[BKP-03] a drill with an identity the backup was not encrypted to fails at decryption, naming the file', async () => {
    const other = join(mkdtempSync(join(root, 'other-')), 'identity.txt');
    execFileSync('age-keygen', ['-o', other], { stdio: 'ignore' });
    chmodSync(other, 0o600);
    const result = await runEnclave(['restore-drill', '--data-dir', dataDir, '--from', good, '--identity', other, '--json'], { timeoutMs: 90_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^enclave: restore drill failed at decrypt: control\/control\.db\.age: does not decrypt with the identity given/);
    expect((JSON.parse(result.stdout) as DrillReport).failedFile).toBe('control/control.db.age');
  }, 120_000);
});
