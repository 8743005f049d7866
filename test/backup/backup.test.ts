import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEnclave } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { readWithSqlcipher } from '../helpers/witness.ts';
import { controlEvents } from '../identity/audit.ts';

interface BackupSummary {
  path: string;
  workspaces: string[];
  files: number;
  bytes: number;
  pruned: string[];
}

const DAY_MS = 86_400_000;
const mode = (path: string) => statSync(path).mode & 0o777;

/** A backup directory's name for a moment, as Enclave writes it. */
function nameAt(at: Date): string {
  return at.toISOString().replace(/:/g, '-').replace('.', '-');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('encrypted backups of a running server', () => {
  let enclave: TestServer;
  let workspaceId: string;
  let backups: string;
  let summary: BackupSummary;
  let progress: string;
  const canary = `canary-${randomUUID()}`;

  beforeAll(async () => {
    enclave = await startTestServer();
    const workspace = await enclave.createWorkspace('Backed up');
    workspaceId = workspace.id;
    const patched = await enclave.request('PATCH', `/api/w/${workspaceId}/profile`, { token: workspace.token, body: { description: canary } });
    expect(patched.status).toBe(200);
    backups = mkdtempSync(join(tmpdir(), 'enclave-backups-'));
    // The CLI backs up while the server keeps running: an online copy.
    const result = await runEnclave(['backup', '--data-dir', enclave.dataDir, '--to', backups, '--json'], { timeoutMs: 60_000 });
    expect(result.stderr).not.toContain('enclave:');
    expect(result.code).toBe(0);
    summary = JSON.parse(result.stdout) as BackupSummary;
    progress = result.stderr;
  }, 120_000);

  afterAll(async () => {
    await enclave?.close();
  });

  it("[BKP-01] a backup file opens with Debian's age and the backup identity, and the result opens as the workspace database with its key", async () => {
    expect(summary.workspaces).toEqual([workspaceId]);
    const decrypted = join(mkdtempSync(join(tmpdir(), 'enclave-age-out-')), 'workspace.db');
    execFileSync('/usr/bin/age', ['-d', '-i', join(enclave.dataDir, 'keys', 'backup-identity.txt'), '-o', decrypted, join(summary.path, 'workspaces', workspaceId, 'workspace.db.age')]);
    const key = await runEnclave(['keys', 'show', '--data-dir', enclave.dataDir, '--workspace', workspaceId, '--purpose', 'db']);
    expect(key.code).toBe(0);
    const rows = readWithSqlcipher<{ description: string }>(decrypted, key.stdout.trim(), 'SELECT description FROM workspace_profile');
    expect(rows).toEqual([{ description: canary }]);
    // Still a SQLCipher file under age: without the key it is not a plain SQLite database.
    expect(readFileSync(decrypted).subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
  });

  it('[BKP-01] the manifest lists every file with its size and SHA-256, progress names each file, and the backup is audited', () => {
    const manifest = JSON.parse(readFileSync(join(summary.path, 'manifest.json'), 'utf8')) as {
      enclaveVersion: string;
      workspaces: string[];
      files: { path: string; bytes: number; sha256: string }[];
    };
    expect(manifest.workspaces).toEqual([workspaceId]);
    expect(manifest.files.map((file) => file.path).sort()).toEqual(
      ['control/audit-checkpoints.jsonl.age', 'control/control.db.age', `workspaces/${workspaceId}/audit-checkpoints.jsonl.age`, `workspaces/${workspaceId}/workspace.db.age`].sort(),
    );
    for (const file of manifest.files) {
      const bytes = readFileSync(join(summary.path, file.path));
      expect(bytes.length, file.path).toBe(file.bytes);
      expect(execFileSync('sha256sum', [join(summary.path, file.path)]).toString().split(' ')[0], file.path).toBe(file.sha256);
      expect(progress).toContain(`${file.path}: ${file.bytes} bytes`);
    }
    const audited = controlEvents(enclave).filter((event) => event.action === 'backup.create');
    expect(audited).toHaveLength(1);
    expect(audited[0]!.outcome).toBe('success');
    expect(audited[0]!.target_id).toBe(summary.path.split('/').at(-1));
  });

  it('[BKP-01] every file is encrypted again: age format, no plaintext canary, no SQLite header, no identity, owner-only modes', () => {
    const identity = readFileSync(join(enclave.dataDir, 'keys', 'backup-identity.txt'), 'utf8');
    const secretKey = identity.split('\n').find((line) => line.startsWith('AGE-SECRET-KEY-1'))!;
    const masterKey = (JSON.parse(readFileSync(join(enclave.dataDir, 'keys', 'master.key'), 'utf8')) as { key: string }).key;
    const checkpointLine = readFileSync(join(enclave.dataDir, 'workspaces', workspaceId, 'audit-checkpoints.jsonl'), 'utf8').split('\n')[0]!;
    expect(checkpointLine).toContain('"kind":"checkpoint"');
    for (const path of filesUnder(summary.path)) {
      const bytes = readFileSync(path);
      const name = relative(summary.path, path);
      expect(mode(path), name).toBe(0o600);
      for (const needle of [canary, 'SQLite format 3', secretKey, masterKey, '"kind":"checkpoint"']) expect(bytes.includes(needle), `${name} holds ${needle.slice(0, 20)}`).toBe(false);
      if (name !== 'manifest.json') expect(bytes.subarray(0, 22).toString(), name).toBe('age-encryption.org/v1\n');
    }
    for (const path of [backups, summary.path]) expect(mode(path)).toBe(0o700);
    expect(readdirSync(backups)).toEqual([summary.path.split('/').at(-1)]);
    // The staging copies are gone.
    expect(readdirSync(enclave.dataDir).filter((name) => name.startsWith('.backup-staging'))).toEqual([]);
  });
});

describe('backup keys and retention', () => {
  it('[BKP-01] init creates the backup identity (0600) apart from the master key, and backups need only the recipient', async () => {
    const root = mkdtempSync(join(tmpdir(), 'enclave-bkp-init-'));
    const dataDir = join(root, 'data');
    const init = await runEnclave(['init', '--data-dir', dataDir, '--json']);
    expect(init.code).toBe(0);
    const keys = JSON.parse(init.stdout) as { backupIdentity: string; backupRecipient: string; masterKey: string };
    expect(keys.backupRecipient).toMatch(/^age1[a-z0-9]{58}$/);
    expect(mode(keys.backupIdentity)).toBe(0o600);
    expect(keys.backupIdentity).not.toBe(keys.masterKey);
    // The operator moves the identity off the server; backups still work with the recipient alone.
    const offline = join(mkdtempSync(join(tmpdir(), 'enclave-offline-')), 'backup-identity.txt');
    writeFileSync(offline, readFileSync(keys.backupIdentity), { mode: 0o600 });
    rmSync(keys.backupIdentity);
    const backups = join(root, 'backups');
    const backup = await runEnclave(['backup', '--data-dir', dataDir, '--to', backups, '--json'], { timeoutMs: 60_000 });
    expect(backup.code).toBe(0);
    const { path } = JSON.parse(backup.stdout) as BackupSummary;
    const manifest = JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8')) as { files: { path: string; plainBytes: number }[] };
    const control = manifest.files.find((file) => file.path === 'control/control.db.age')!;
    const decrypted = execFileSync('/usr/bin/age', ['-d', '-i', offline, join(path, control.path)]);
    expect(decrypted.length).toBe(control.plainBytes);
    expect(existsSync(join(path, 'backup-identity.txt'))).toBe(false);
  }, 90_000);

  it('[BKP-02] retention removes backup directories older than backup.retentionDays and keeps the rest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'enclave-bkp-retention-'));
    const dataDir = join(root, 'data');
    expect((await runEnclave(['init', '--data-dir', dataDir])).code).toBe(0);
    const backups = join(root, 'backups');
    const now = Date.now();
    const aged = (days: number) => {
      const name = nameAt(new Date(now - days * DAY_MS));
      mkdirSync(join(backups, name), { recursive: true });
      writeFileSync(join(backups, name, 'manifest.json'), '{}');
      return name;
    };
    const old = [aged(40), aged(11)];
    const recent = aged(5);
    mkdirSync(join(backups, 'not-a-backup'));
    const config = join(root, 'enclave.yaml');
    writeFileSync(config, `backup:\n  dir: ${backups}\n  retentionDays: 10\n`);
    const result = await runEnclave(['backup', '--data-dir', dataDir, '--config', config, '--json'], { timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as BackupSummary;
    expect(summary.pruned.sort()).toEqual(old.sort());
    expect(readdirSync(backups).sort()).toEqual([recent, summary.path.split('/').at(-1)!, 'not-a-backup'].sort());
  }, 90_000);

  it('[BKP-02] serve writes backups on its schedule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-bkp-scheduled-'));
    // Every second, so the test need not wait for the night.
    const enclave = await startTestServer({ backup: { schedule: '* * * * * *', dir } });
    try {
      const workspace = await enclave.createWorkspace('Scheduled');
      // The audit event is the last thing a backup does; the first run may predate the workspace.
      const manifestOf = (name: string) => JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8')) as { workspaces: string[]; files: unknown[] };
      const backedUp = () =>
        controlEvents(enclave).find((event) => event.action === 'backup.create' && manifestOf(event.target_id!).workspaces.includes(workspace.id));
      let audited = backedUp();
      for (let attempt = 0; attempt < 300 && !audited; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        audited = backedUp();
      }
      expect(audited?.outcome).toBe('success');
      expect(audited!.actor_id).toBe('backup-schedule');
      expect(manifestOf(audited!.target_id!).files).toHaveLength(4);
    } finally {
      await enclave.close();
    }
  }, 60_000);

  it('[BKP-01] production starts without a backup recipient but logs that backups are impossible; with one it does not', async () => {
    const production = {
      mode: 'production' as const,
      masterKey: 'ab'.repeat(32),
      trustProxy: ['127.0.0.1'],
      publicUrl: 'https://enclave.example.test',
      securityContact: 'mailto:security@example.test',
      allowSignUp: false,
    };
    const without = await startTestServer(production);
    try {
      expect(without.logs.filter((line) => line.includes('"level":50') && line.includes('backups are not possible'))).toHaveLength(1);
      // Production never creates backup keys of its own.
      expect(existsSync(join(without.dataDir, 'keys', 'backup-identity.txt'))).toBe(false);
    } finally {
      await without.close();
    }
    const recipient = execFileSync('age-keygen', ['-y'], { input: execFileSync('age-keygen', { stdio: ['ignore', 'pipe', 'ignore'] }) }).toString().trim();
    const withRecipient = await startTestServer({ ...production, backup: { recipient } });
    try {
      expect(withRecipient.logs.some((line) => line.includes('backups are not possible'))).toBe(false);
    } finally {
      await withRecipient.close();
    }
  }, 60_000);
});
