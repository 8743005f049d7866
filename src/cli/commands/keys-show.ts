import { operatorMeta } from '../../access/actor.ts';
import { KEY_PURPOSES, type KeyPurpose } from '../../core/keyring.ts';
import { openPlatform } from '../../platform/platform.ts';
import { CliError, type Command, requiredOption, writeJson } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

export const keysShowCommand: Command = {
  name: 'keys show',
  summary: "print a workspace's derived key in hex, for break-glass recovery (audited)",
  details:
    'With --purpose db the key opens the workspace database in any SQLCipher 4 tool:\n  PRAGMA key = "x\'<hex>\'";\nEvery use is recorded in the workspace audit log and the control audit log.',
  options: {
    ...dataOptions,
    workspace: { type: 'string', description: 'workspace id', placeholder: 'ID' },
    purpose: { type: 'string', description: `one of ${KEY_PURPOSES.join(', ')}`, placeholder: 'PURPOSE' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, io) {
    const workspaceId = requiredOption(args, 'workspace');
    const purpose = requiredOption(args, 'purpose');
    if (!KEY_PURPOSES.includes(purpose as KeyPurpose)) throw new CliError(`--purpose must be one of ${KEY_PURPOSES.join(', ')}`);
    const platform = openPlatform(configFromArgs(args, io));
    try {
      const key = await platform.workspaces.revealKey(workspaceId, purpose as KeyPurpose, operatorMeta(io.env));
      if (args.values.json) writeJson(io, { workspace: workspaceId, purpose, key: key.toString('hex') });
      else io.stdout.write(`${key.toString('hex')}\n`);
      return 0;
    } finally {
      platform.close();
    }
  },
};
