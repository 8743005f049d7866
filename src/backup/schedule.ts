import { Cron } from 'croner';
import { existsSync } from 'node:fs';
import { ConfigError } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Platform } from '../platform/platform.ts';
import { runBackup } from './backup.ts';
import { backupIdentityPath, createBackupKeys, resolveBackupRecipient } from './recipient.ts';

export interface BackupSchedule {
  /** Stops the schedule and waits for a backup under way, so the databases it reads stay open until it ends. */
  stop(): Promise<void>;
}

const SYSTEM = { actor: { type: 'system' as const, id: 'backup-schedule' } };

/**
 * Start-up of backups inside `serve`. Development creates backup keys on first start, as it
 * does the master key. Production starts without a recipient (so a server can be brought
 * up before its backups are arranged) but says so loudly, and warns while the identity
 * still sits next to the data it could decrypt.
 */
export async function startBackups(platform: Platform, logger: Logger): Promise<BackupSchedule> {
  const { config } = platform;
  if (config.mode === 'development' && !resolveBackupRecipient(config)) {
    const keys = await createBackupKeys(config.dataDir);
    logger.warn({ identity: keys.identityPath }, 'created a development backup identity; keep a copy elsewhere to be able to restore');
  }
  const recipient = resolveBackupRecipient(config);
  if (config.mode === 'production') {
    if (!recipient) logger.error('backups are not possible: no backup recipient (run `enclave init` or set backup.recipient)');
    if (existsSync(backupIdentityPath(config.dataDir))) {
      logger.warn({ identity: backupIdentityPath(config.dataDir) }, 'the backup identity is still on the server: move it offline, keeping only backup-recipient.txt');
    }
  }
  if (config.backup.schedule === 'off' || !recipient) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  const backup = async () => {
    try {
      const result = await runBackup(platform, { meta: SYSTEM });
      logger.info({ backup: result.path, files: result.manifest.files.length, pruned: result.pruned.length }, 'backup written');
    } catch (error) {
      logger.error({ err: error }, 'scheduled backup failed');
    }
  };
  let job: Cron;
  try {
    // protect: a backup that outlasts the interval is not joined by a second one.
    job = new Cron(config.backup.schedule, { protect: true, unref: true }, () => {
      running = backup().finally(() => (running = undefined));
      return running;
    });
  } catch (error) {
    throw new ConfigError(`backup.schedule: ${(error as Error).message}`);
  }
  return {
    async stop() {
      job.stop();
      await running;
    },
  };
}
