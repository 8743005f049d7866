import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import { ConfigError } from '../core/config.ts';
import { DIR_MODE, FILE_MODE, type SqliteDatabase } from '../core/database.ts';
import { deriveWorkspaceKey } from '../core/keyring.ts';
import { workspaceKeyVersion } from '../workspaces/key-versions.ts';
import { auditCheckpointPath, controlDir, workspaceDir } from '../core/layout.ts';
import type { Platform } from '../platform/platform.ts';
import { encryptFile } from './age-stream.ts';
import { backupFilePath, MANIFEST_NAME, sealManifest, type BackupFile, type BackupManifest } from './manifest.ts';
import { resolveBackupRecipient } from './recipient.ts';
import { backupName, partialName, pruneBackups } from './retention.ts';
import { snapshotCheckpointFile, snapshotDatabase } from './snapshot.ts';

const ENCLAVE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface BackupResult {
  /** The finished backup's directory. */
  path: string;
  manifest: BackupManifest;
  /** Backup directories removed by retention afterwards. */
  pruned: string[];
}

export interface BackupOptions {
  /** The target directory; defaults to backup.dir, else <dataDir>/backups. */
  dir?: string;
  meta: RequestMeta;
  now?: () => Date;
  /** Called once per file written. */
  progress?: (file: BackupFile) => void;
}

export function backupTarget(platform: Platform, dir?: string): string {
  return resolve(dir ?? platform.config.backup.dir ?? join(platform.config.dataDir, 'backups'));
}

/** One database and its audit chain, as the backup copies them. */
interface Source {
  workspaceId?: string;
  db: SqliteDatabase;
  key: Buffer;
  audit: AuditLog;
  checkpointFile: string;
}

function sources(platform: Platform): { workspaceIds: string[]; each: () => Generator<Source> } {
  const { config, keyring } = platform;
  // Deleted workspaces awaiting their shred are left out: they can no longer be opened (DAT-02).
  const workspaceIds = platform.workspaces.list().map((workspace) => workspace.id);
  return {
    workspaceIds,
    *each() {
      yield { db: platform.controlDb, key: keyring.controlDatabaseKey(), audit: platform.controlAudit, checkpointFile: auditCheckpointPath(controlDir(config.dataDir)) };
      for (const workspaceId of workspaceIds) {
        const seed = platform.workspaces.seedOf(workspaceId);
        // Deleted since the list was read.
        if (!seed) continue;
        const handle = platform.databases.open(workspaceId);
        yield {
          workspaceId,
          db: handle.db,
          key: deriveWorkspaceKey(seed, workspaceId, 'db', workspaceKeyVersion(platform.controlDb, workspaceId, 'db')),
          audit: handle.audit,
          checkpointFile: auditCheckpointPath(workspaceDir(config.dataDir, workspaceId)),
        };
      }
    },
  };
}

/**
 * BKP-01, BKP-02: a consistent online copy of the control database and every workspace
 * database, each with its audit checkpoint file, encrypted again with age to the backup
 * recipient, under <target>/<UTC time>/ with a manifest of sizes and SHA-256 sums; then
 * retention. Copies are staged in a private directory inside the data dir (they are still
 * SQLCipher-encrypted) and removed as soon as they are encrypted. Audited in the control log.
 */
export async function runBackup(platform: Platform, options: BackupOptions): Promise<BackupResult> {
  const now = options.now ?? (() => new Date());
  const recipient = resolveBackupRecipient(platform.config);
  if (!recipient) {
    throw new ConfigError('no backup recipient: run `enclave init` on a new data dir, or set backup.recipient to an age recipient (age1…)');
  }
  const target = backupTarget(platform, options.dir);
  const started = now();
  const name = backupName(started);
  const partial = join(target, partialName(name));
  mkdirSync(target, { recursive: true, mode: DIR_MODE });
  // mkdtemp creates it 0700.
  const stagingRun = mkdtempSync(join(platform.config.dataDir, '.backup-staging-'));
  const files: BackupFile[] = [];
  const { workspaceIds, each } = sources(platform);
  try {
    if (existsSync(join(target, name))) throw new ConfigError(`a backup named ${name} already exists in ${target}`);
    mkdirSync(partial, { mode: DIR_MODE });
    for (const source of each()) {
      // Events still queued in this process belong in the copy.
      source.audit.flush();
      const databasePath = backupFilePath('database', source.workspaceId);
      const checkpointPath = backupFilePath('audit-checkpoints', source.workspaceId);
      const plainDatabase = join(stagingRun, databasePath.replace(/\.age$/, ''));
      const plainCheckpoints = join(stagingRun, checkpointPath.replace(/\.age$/, ''));
      snapshotDatabase(source.db, plainDatabase);
      snapshotCheckpointFile(plainDatabase, source.key, source.checkpointFile, plainCheckpoints);
      for (const [kind, plain, path] of [['database', plainDatabase, databasePath], ['audit-checkpoints', plainCheckpoints, checkpointPath]] as const) {
        const out = join(partial, path);
        mkdirSync(dirname(out), { recursive: true, mode: DIR_MODE });
        const written = await encryptFile(plain, out, [recipient]);
        const file: BackupFile = {
          path,
          kind,
          ...(source.workspaceId ? { workspaceId: source.workspaceId } : {}),
          plainBytes: statSync(plain).size,
          bytes: written.bytes,
          sha256: written.sha256,
        };
        rmSync(plain, { force: true });
        files.push(file);
        options.progress?.(file);
      }
    }
    const manifest = sealManifest({
      format: 'enclave-backup',
      formatVersion: 1,
      enclaveVersion: ENCLAVE_VERSION,
      createdAt: started.toISOString(),
      recipient,
      workspaces: files.filter((file) => file.kind === 'database' && file.workspaceId).map((file) => file.workspaceId!),
      files,
    }, platform.keyring.controlKey('backup'));
    writeFileSync(join(partial, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`, { mode: FILE_MODE, flag: 'wx' });
    // Only a complete backup carries a backup's name: a crash leaves a `.partial` that retention clears.
    renameSync(partial, join(target, name));
    const pruned = pruneBackups(target, platform.config.backup.retentionDays, now());
    await platform.controlAudit.record(
      auditEvent(options.meta, 'backup.create', { type: 'backup', id: name }, {
        workspaces: manifest.workspaces.length,
        files: files.length,
        bytes: files.reduce((sum, file) => sum + file.bytes, 0),
        pruned: pruned.length,
      }),
    );
    return { path: join(target, name), manifest, pruned };
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    // The backup's own error is what the caller must see, even if the audit write fails too.
    await platform.controlAudit
      .record(auditEvent(options.meta, 'backup.create', { type: 'backup', id: name }, { workspaces: workspaceIds.length, reason: (error as Error).message }, 'failure'))
      .catch(() => undefined);
    throw error;
  } finally {
    rmSync(stagingRun, { recursive: true, force: true });
  }
}
