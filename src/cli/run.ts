import { parseArgs } from 'node:util';
import { ConfigError } from '../core/config.ts';
import { DatabaseKeyError } from '../core/database.ts';
import { KeyringError } from '../core/keyring.ts';
import { MigrationError } from '../core/migrations.ts';
import { AppError } from '../core/errors.ts';
import { CliError, type Command, type CommandIO } from './command.ts';
import { COMMANDS } from './commands/index.ts';

function optionHelp(command: Command): string {
  const rows = Object.entries(command.options).map(([name, spec]) => {
    const flag = `--${name}${spec.type === 'string' ? ` ${spec.placeholder ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(28)} ${spec.description}`;
  });
  rows.push(`  ${'--help'.padEnd(28)} show this help`);
  return rows.join('\n');
}

function commandHelp(command: Command): string {
  const usage = `usage: enclave ${command.name} [options]${command.positionals ? ` ${command.positionals}` : ''}`;
  return [usage, '', command.summary, ...(command.details ? ['', command.details] : []), '', 'options:', optionHelp(command), ''].join('\n');
}

function overview(prefix: string[]): string {
  const matching = COMMANDS.filter((c) => prefix.every((word, i) => c.name.split(' ')[i] === word));
  const rows = matching.map((c) => `  ${c.name.padEnd(22)} ${c.summary}`);
  return [`usage: enclave ${prefix.length ? `${prefix.join(' ')} ` : ''}<command> [options]`, '', 'commands:', ...rows, '', 'Run `enclave <command> --help` for its options.', ''].join('\n');
}

function findCommand(argv: string[]): { command?: Command; rest: string[]; words: string[] } {
  const words: string[] = [];
  for (const word of argv) {
    if (word.startsWith('-')) break;
    words.push(word);
  }
  for (let n = Math.min(words.length, 3); n > 0; n--) {
    const name = words.slice(0, n).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(n), words };
  }
  return { rest: argv, words };
}

/** Errors a user can act on print as one line; anything else is a bug and says so without a stack. */
function describe(error: unknown): { message: string; code: number } {
  if (error instanceof CliError) return { message: error.message, code: error.exitCode };
  if (error instanceof ConfigError || error instanceof KeyringError || error instanceof MigrationError) {
    return { message: error.message, code: 2 };
  }
  if (error instanceof AppError) return { message: error.message, code: 2 };
  if (error instanceof DatabaseKeyError) return { message: `${error.message} (${error.path})`, code: 2 };
  const parseError = error as { code?: string; message?: string };
  if (parseError.code?.startsWith('ERR_PARSE_ARGS')) return { message: parseError.message ?? 'bad arguments', code: 2 };
  return { message: `unexpected error: ${(error as Error).message ?? String(error)}`, code: 1 };
}

export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const { command, rest, words } = findCommand(argv);
  if (!command) {
    const known = words.length === 0 || COMMANDS.some((c) => c.name.startsWith(`${words.join(' ')} `));
    io[known ? 'stdout' : 'stderr'].write(known ? overview(words) : `enclave: unknown command "${words.join(' ')}"\n\n${overview([])}`);
    return known ? 0 : 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(commandHelp(command));
    return 0;
  }
  try {
    const parsed = parseArgs({ args: rest, options: command.options, allowPositionals: Boolean(command.positionals), strict: true });
    return await command.run(parsed as Parameters<Command['run']>[0], io);
  } catch (error) {
    const { message, code } = describe(error);
    io.stderr.write(`enclave: ${message}\n`);
    return code;
  }
}
