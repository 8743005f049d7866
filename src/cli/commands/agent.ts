import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { ApiError } from '../../agent-client/client.ts';
import { Reporter } from '../../agent-client/events.ts';
import { pairAgent, PairingError, serverUrl } from '../../agent-client/pairing.ts';
import { RunError, runAgent } from '../../agent-client/run.ts';
import { StateError } from '../../agent-client/state.ts';
import { CliError, type Command, requiredOption, stringOption, writeJson } from '../command.ts';

const DEFAULT_STATE_DIR = 'agent-state';
const stateDirOption = {
  'state-dir': { type: 'string' as const, description: `where the agent keeps its key and progress (default ./${DEFAULT_STATE_DIR}; 0700, files 0600)`, placeholder: 'DIR' },
};

/** Exit codes of `agent run`: scripts and service managers tell a revoked agent (pair again) from a passing failure (retry). */
const EXIT = { done: 0, failed: 1, revoked: 3 } as const;

function stateDirOf(args: Parameters<Command['run']>[0]): string {
  return resolve(stringOption(args, 'state-dir') ?? DEFAULT_STATE_DIR);
}

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** Errors of the agent's own layers become one-line CLI errors. */
function asCliError(error: unknown): unknown {
  if (error instanceof PairingError || error instanceof StateError || error instanceof RunError) return new CliError(error.message);
  if (error instanceof ApiError) return new CliError(`the server refused: ${error.message} (${error.code})`, 1);
  return error;
}

export const agentPairCommand: Command = {
  name: 'agent pair',
  summary: 'pair this machine as a sync agent of a workspace, with a pairing token an admin created',
  details: [
    'Makes an Ed25519 key pair here, sends the public key with the one-time pairing token, and stores the',
    'agent id, workspace, server and private key in the state directory (readable by its owner only).',
    'The token is needed only this once. --token puts it in the process list and shell history, where other',
    'users of this machine may see it until it is used: prefer --token-stdin, e.g. `enclave agent pair',
    '--server URL --token-stdin < token.txt`.',
  ].join('\n'),
  options: {
    server: { type: 'string', description: "the Enclave server's base URL (https)", placeholder: 'URL' },
    token: { type: 'string', description: 'the pairing token (visible in process listings: prefer --token-stdin)', placeholder: 'TOKEN' },
    'token-stdin': { type: 'boolean', description: 'read the pairing token from standard input' },
    name: { type: 'string', description: 'how the agent is listed in the workspace (default: this host name)', placeholder: 'NAME' },
    ...stateDirOption,
    force: { type: 'boolean', description: 'replace a pairing already in the state directory' },
    'allow-http': { type: 'boolean', description: 'allow a plain-http server that is not on this machine (tokens travel unencrypted)' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, io) {
    const server = requiredOption(args, 'server');
    const fromStdin = args.values['token-stdin'] === true;
    const flagToken = stringOption(args, 'token');
    if (fromStdin === (flagToken !== undefined)) throw new CliError('give the pairing token with exactly one of --token or --token-stdin');
    const token = fromStdin ? (await readAll(io.stdin)).trim() : flagToken!;
    if (!token) throw new CliError('the pairing token is empty');
    const stateDir = stateDirOf(args);
    try {
      const identity = await pairAgent({
        server: serverUrl(server, args.values['allow-http'] === true),
        token,
        name: (stringOption(args, 'name') ?? hostname()).slice(0, 100) || 'agent',
        stateDir,
        force: args.values.force === true,
      });
      if (args.values.json) writeJson(io, { agentId: identity.agentId, workspaceId: identity.workspaceId, server: identity.server, stateDir });
      else io.stdout.write(`paired as agent ${identity.agentId} of workspace ${identity.workspaceId}; key and state in ${stateDir}\n`);
      return 0;
    } catch (error) {
      throw asCliError(error);
    }
  },
};

export const agentRunCommand: Command = {
  name: 'agent run',
  summary: 'sync a folder of CSV and JSON-lines exports into datasets, resuming where it stopped',
  details: [
    'Each *.csv (with a header row), *.jsonl or *.ndjson file directly in the folder fills one dataset named',
    'after the file (lower-cased; other characters become _; a leading digit gets d_). Column types are',
    'inferred from the values (integer, real, boolean, timestamp with an offset, else text); an empty CSV cell',
    'is null. The primary key is the column named id, else the first column. A sidecar <file>.schema.json',
    '(e.g. orders.csv.schema.json) with {"columns":[{"name","type","nullable"}],"primaryKey":[...],"name"?}',
    'declares the schema instead. Rows are upserted, never deleted. Progress is saved after every batch the',
    'server acknowledges, so a restart continues there; a changed file is sent again from the start.',
    'With --watch the folder is polled every --interval seconds. SIGINT/SIGTERM stop after the current batch.',
    'Exit codes: 0 done, 1 a file failed, 2 bad usage, 3 agent revoked (pair again), 130/143 stopped.',
  ].join('\n'),
  options: {
    watch: { type: 'string', description: 'the folder of exports to sync', placeholder: 'DIR' },
    ...stateDirOption,
    once: { type: 'boolean', description: 'sync the folder once and exit instead of watching it' },
    interval: { type: 'string', description: 'seconds between passes when watching (default 5)', placeholder: 'SECONDS' },
    json: { type: 'boolean', description: 'one JSON line per event on stdout' },
  },
  async run(args, io) {
    const watchDir = resolve(requiredOption(args, 'watch'));
    const interval = Number(stringOption(args, 'interval') ?? '5');
    if (!Number.isFinite(interval) || interval < 0.1 || interval > 86_400) throw new CliError('--interval must be a number of seconds between 0.1 and 86400');
    const reporter = new Reporter(io.stdout, io.stderr, args.values.json === true);
    // Stop cleanly after the batch in flight; a second signal does not wait.
    const stop = new AbortController();
    let signalled: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) process.exit(signal === 'SIGINT' ? 130 : 143);
      signalled = signal;
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const outcome = await runAgent({ watchDir, stateDir: stateDirOf(args), once: args.values.once === true, intervalMs: interval * 1000, emit: reporter.emit, signal: stop.signal });
      if (outcome === 'stopped') return signalled === 'SIGTERM' ? 143 : 130;
      return EXIT[outcome];
    } catch (error) {
      throw asCliError(error);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
