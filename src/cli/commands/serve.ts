import { once } from 'node:events';
import { isDefaultDataDir } from '../../core/config.ts';
import { startServer } from '../../http/server.ts';
import type { Command } from '../command.ts';
import { configFromArgs, serverOptions } from '../config-options.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'start Enclave (API, dashboard, audit checkpoints) until interrupted',
  details:
    'Development mode (the default) creates a development master key on first start; production refuses\ndevelopment keys, the default data dir, plain HTTP without --trust-proxy, and a missing master key.',
  options: serverOptions,
  async run(args, io) {
    const config = configFromArgs(args, io);
    const server = await startServer(config);
    io.stdout.write(`Enclave ${config.mode} server listening on ${server.origin}\ndashboard: ${server.origin}/\ndata: ${config.dataDir}\n`);
    if (server.setupTokenPath) {
      const dataDir = isDefaultDataDir(config) ? '' : ` --data-dir ${config.dataDir}`;
      io.stdout.write(
        [
          `first run: open ${server.origin}/setup and enter the setup token kept in ${server.setupTokenPath}`,
          `  (or create the owner account here: ./enclave users create${dataDir} --email you@example.com --name "Your Name" --password-stdin)`,
          ...(config.mode === 'development' ? [`development mail (verification and sign-in links): ${server.origin}/dev/outbox`] : []),
          '',
        ].join('\n'),
      );
    }
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    io.stdout.write('shutting down\n');
    await server.close();
    return 0;
  },
};
