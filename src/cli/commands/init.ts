import { createMasterKeyFile, masterKeyPath } from '../../core/keyring.ts';
import { ensureLayout } from '../../core/layout.ts';
import { openPlatform } from '../../platform/platform.ts';
import { type Command, writeJson } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a data directory: master key (0600), owner-only layout, control database',
  details: 'Refuses to overwrite an existing master key. Keep a copy of keys/master.key somewhere safe: without it no database can be opened.',
  options: { ...dataOptions, json: { type: 'boolean', description: 'print the result as JSON' } },
  async run(args, io) {
    const config = configFromArgs(args, io);
    ensureLayout(config.dataDir);
    createMasterKeyFile(config.dataDir, 'init');
    openPlatform(config).close();
    const result = { dataDir: config.dataDir, masterKey: masterKeyPath(config.dataDir) };
    if (args.values.json) writeJson(io, result);
    else io.stdout.write(`initialised ${result.dataDir}\nmaster key: ${result.masterKey} (mode 0600; back it up offline)\n`);
    return 0;
  },
};
