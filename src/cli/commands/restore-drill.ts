import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { runRestoreDrill, type DrillStep } from '../../backup/drill.ts';
import { readBackupIdentity } from '../../backup/recipient.ts';
import { KeyringError, masterKeyPath, readMasterKeyFile, type MasterKey } from '../../core/keyring.ts';
import { readSecretFile } from '../../core/secret-file.ts';
import { startServer } from '../../http/server.ts';
import { resolveMasterKey } from '../../platform/master-key.ts';
import { CliError, type Command, requiredOption, stringOption, writeJson } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/**
 * Accepts an Enclave master key file (keys/master.key, JSON: after `enclave rotate-keys` it
 * also carries the key version and control root the drill needs) or the 64 hex characters alone.
 */
function masterKeyFromFile(path: string): MasterKey {
  const text = readSecretFile(path, '--master-key-file').trim();
  const noKey = new CliError(`--master-key-file ${path} holds no master key (a keys/master.key file, or 64 hex characters)`);
  if (text.startsWith('{')) {
    try {
      const master = readMasterKeyFile(dirname(path), path);
      if (master) return master;
    } catch (error) {
      if (error instanceof KeyringError) throw new CliError(error.message);
    }
    throw noKey;
  }
  if (!HEX_KEY.test(text)) throw noKey;
  return { key: Buffer.from(text, 'hex'), version: 1, origin: 'environment' };
}

function stepLine(step: DrillStep): string {
  return `${step.ok ? 'PASS' : 'FAIL'} ${step.name} (${step.ms} ms): ${step.detail}\n`;
}

export const restoreDrillCommand: Command = {
  name: 'restore-drill',
  summary: 'restore the latest backup into a throwaway directory, start Enclave on it and smoke-test it; exit 1 on any failure',
  details: [
    "Checks the manifest's MAC (master key) and every file against it (a truncated or altered file fails, named), decrypts with the backup",
    'identity, starts an instance on a free 127.0.0.1 port, verifies every audit chain, and checks over HTTP:',
    'health, sign-in, the list of workspaces, opening each workspace. Then removes the instance and the files.',
    'The master key is not in a backup: it comes from --master-key-file, else ENCLAVE_MASTER_KEY or the data',
    "dir's keys/master.key. An operator restoring elsewhere supplies both it and the backup identity from offline storage.",
  ].join('\n'),
  options: {
    ...dataOptions,
    from: { type: 'string', description: 'a backup directory, or a target holding backups (default backup.dir, else <data dir>/backups)', placeholder: 'DIR' },
    identity: { type: 'string', description: 'the age backup identity file (mode 0600)', placeholder: 'FILE' },
    'master-key-file': { type: 'string', description: 'the master key (keys/master.key or 64 hex characters), mode 0600', placeholder: 'FILE' },
    json: { type: 'boolean', description: 'print the report as JSON on stdout' },
  },
  async run(args, io) {
    const identities = readBackupIdentity(requiredOption(args, 'identity'));
    const config = configFromArgs(args, io);
    const keyFile = stringOption(args, 'master-key-file');
    if (!keyFile && !config.masterKey && !existsSync(masterKeyPath(config.dataDir))) {
      throw new CliError('the drill needs the master key the backup was made with: pass --master-key-file FILE or set ENCLAVE_MASTER_KEY');
    }
    const masterKey = keyFile ? masterKeyFromFile(keyFile) : resolveMasterKey(config, { createInDevelopment: false });
    const from = resolve(stringOption(args, 'from') ?? config.backup.dir ?? join(config.dataDir, 'backups'));
    const report = await runRestoreDrill({
      from,
      identities,
      masterKey,
      start: (drillConfig) => startServer(drillConfig),
      ...(args.values.json ? {} : { progress: (step: DrillStep) => io.stdout.write(stepLine(step)) }),
    });
    if (args.values.json) writeJson(io, report);
    else io.stdout.write(`restore drill ${report.ok ? 'PASSED' : 'FAILED'} in ${report.totalMs} ms: ${report.backup}\n`);
    if (!report.ok) {
      const failed = report.steps.find((step) => !step.ok)!;
      io.stderr.write(`enclave: restore drill failed at ${failed.name}: ${failed.detail}\n`);
    }
    return report.ok ? 0 : 1;
  },
};
