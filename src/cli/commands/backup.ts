import { operatorMeta } from '../../access/actor.ts';
import { runBackup } from '../../backup/backup.ts';
import { openPlatform } from '../../platform/platform.ts';
import { type Command, stringOption, writeJson } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'write an age-encrypted backup of the control and every workspace database now (audited)',
  details: [
    'Takes a consistent online copy of each database (the server may keep running), encrypts it with age to',
    'the backup recipient (backup.recipient, or keys/backup-recipient.txt), and writes it with its audit',
    'checkpoint file under DIR/<UTC time>/ with a manifest.json of sizes and SHA-256 sums; then deletes',
    'backups older than backup.retentionDays (30), always keeping the newest. Progress goes to stderr.',
    'Restoring needs the backup identity and the master key: neither is in the backup.',
  ].join('\n'),
  options: {
    ...dataOptions,
    to: { type: 'string', description: 'target directory (default backup.dir, else <data dir>/backups)', placeholder: 'DIR' },
    json: { type: 'boolean', description: 'print the manifest summary as JSON on stdout' },
  },
  async run(args, io) {
    const platform = openPlatform(configFromArgs(args, io));
    try {
      const to = stringOption(args, 'to');
      const result = await runBackup(platform, {
        meta: operatorMeta(io.env),
        ...(to ? { dir: to } : {}),
        progress: (file) => io.stderr.write(`${file.path}: ${file.bytes} bytes (${file.plainBytes} before encryption)\n`),
      });
      const { manifest } = result;
      const summary = {
        path: result.path,
        createdAt: manifest.createdAt,
        enclaveVersion: manifest.enclaveVersion,
        recipient: manifest.recipient,
        workspaces: manifest.workspaces,
        files: manifest.files.length,
        bytes: manifest.files.reduce((sum, file) => sum + file.bytes, 0),
        pruned: result.pruned,
      };
      if (args.values.json) writeJson(io, summary);
      else {
        io.stdout.write(`backup written: ${summary.path} (${summary.files} files, ${summary.bytes} bytes, ${summary.workspaces.length} workspaces)\n`);
        for (const name of result.pruned) io.stdout.write(`removed by retention: ${name}\n`);
      }
      return 0;
    } finally {
      platform.close();
    }
  },
};
