import { operatorMeta } from '../../access/actor.ts';
import { rotateKeys } from '../../lifecycle/rotation/rotate.ts';
import { type Command, writeJson } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

export const rotateKeysCommand: Command = {
  name: 'rotate-keys',
  summary: 'rotate the master key and every workspace database and vault key (offline, resumable, audited)',
  details: [
    'Master key: writes version N+1, re-wraps every workspace seed and the control root under it, rekeys the',
    'control database, then replaces keys/master.key (the old key file is gone once this step ends).',
    'Each workspace: rekeys its database file to the next database key version and re-wraps every vault',
    "credential's data key under the next vault key version; versions are recorded in the control database.",
    '',
    'Offline: stop the server first. The command refuses while any Enclave process has the data dir open,',
    'and while a rotation is unfinished the server and other commands refuse to start. Resumable: progress',
    'is journaled in keys/rotation.json; if the run is interrupted (even by SIGKILL), run the command again',
    'and it finishes the same rotation. Progress goes to stderr; --json prints a summary on stdout.',
    'A master key supplied by ENCLAVE_MASTER_KEY cannot be rotated here: use --workspaces-only.',
    'Backups taken before a master key rotation still need the old key: copy keys/master.key offline before',
    'rotating and keep it until those backups expire; run `enclave backup` afterwards for one under the new key.',
  ].join('\n'),
  options: {
    ...dataOptions,
    'workspaces-only': { type: 'boolean', description: 'keep the master key; rotate only workspace database and vault keys' },
    json: { type: 'boolean', description: 'print a JSON summary on stdout' },
  },
  async run(args, io) {
    const config = configFromArgs(args, io);
    const pauseAt = io.env.ENCLAVE_TEST_ROTATION_PAUSE_AT;
    const summary = await rotateKeys({
      config,
      meta: operatorMeta(io.env),
      master: !args.values['workspaces-only'],
      progress: (line) => io.stderr.write(`${line}\n`),
      // Test-only hook (see RotationOptions.pauseAt); never honoured in production.
      ...(pauseAt && config.mode !== 'production' ? { pauseAt } : {}),
    });
    if (args.values.json) writeJson(io, summary);
    else {
      const master = summary.masterKey ? `master key v${summary.masterKey.from} → v${summary.masterKey.to}, ` : '';
      io.stdout.write(`keys rotated: ${master}${summary.workspaces.length} workspace(s)${summary.resumed ? ' (resumed)' : ''}\n`);
    }
    return 0;
  },
};
