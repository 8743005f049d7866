import { createBackupKeys } from '../../backup/recipient.ts';
import { createMasterKeyFile, masterKeyPath } from '../../core/keyring.ts';
import { ensureLayout } from '../../core/layout.ts';
import { openPlatform } from '../../platform/platform.ts';
import { type Command, writeJson } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a data directory: master key (0600), backup key pair, owner-only layout, control database',
  details:
    'Refuses to overwrite an existing master key. Keep a copy of keys/master.key somewhere safe: without it no database can be opened.\nAlso creates the age backup identity (keys/backup-identity.txt) and its recipient (keys/backup-recipient.txt):\nbackups need only the recipient, so move the identity to offline storage.',
  options: { ...dataOptions, json: { type: 'boolean', description: 'print the result as JSON' } },
  async run(args, io) {
    const config = configFromArgs(args, io);
    ensureLayout(config.dataDir);
    createMasterKeyFile(config.dataDir, 'init');
    openPlatform(config).close();
    const backup = await createBackupKeys(config.dataDir);
    const result = {
      dataDir: config.dataDir,
      masterKey: masterKeyPath(config.dataDir),
      backupIdentity: backup.identityPath,
      backupRecipient: backup.recipient,
    };
    if (args.values.json) writeJson(io, result);
    else {
      io.stdout.write(
        [
          `initialised ${result.dataDir}`,
          `master key: ${result.masterKey} (mode 0600; back it up offline)`,
          `backup recipient: ${result.backupRecipient} (in ${backup.recipientPath})`,
          `backup identity: ${result.backupIdentity} (mode 0600; move it OFF this server: restores need it, backups do not)`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  },
};
