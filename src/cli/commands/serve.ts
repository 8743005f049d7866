import { once } from 'node:events';
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
    if (server.workspaceCount === 0) {
      io.stdout.write('no workspaces yet: ./enclave workspaces create --name "My company"\n');
    }
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    io.stdout.write('shutting down\n');
    await server.close();
    return 0;
  },
};
