import { operatorMeta } from '../../access/actor.ts';
import { signUpSchema, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../identity/schema.ts';
import { openPlatform } from '../../platform/platform.ts';
import { CliError, type Command, type CommandIO, requiredOption, writeJson } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

/** Standard input up to its end, with one trailing line break removed (what `echo` or a pipe adds). */
async function readPassword(io: CommandIO): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    // A password is short; a larger input is a mistake (a file piped in), not a password.
    if (size > 4 * PASSWORD_MAX_LENGTH) throw new CliError(`the password on standard input must be at most ${PASSWORD_MAX_LENGTH} characters`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export const usersCreateCommand: Command = {
  name: 'users create',
  summary: 'create a verified account that can sign in with email and password (audited)',
  details:
    'The password is read from standard input, never from the command line, where other users\n' +
    'and shell history could see it:\n' +
    '  printf %s "$PASSWORD" | enclave users create --email ada@example.com --name Ada --password-stdin\n' +
    `Passwords are ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`,
  options: {
    ...dataOptions,
    email: { type: 'string', description: 'email address the person signs in with', placeholder: 'EMAIL' },
    name: { type: 'string', description: 'display name', placeholder: 'NAME' },
    'password-stdin': { type: 'boolean', description: 'read the password from standard input (required)' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, io) {
    if (args.values['password-stdin'] !== true) throw new CliError('--password-stdin is required: pipe the password to standard input');
    const email = requiredOption(args, 'email');
    const name = requiredOption(args, 'name');
    const password = await readPassword(io);
    if (password === '') throw new CliError('no password on standard input');
    const input = signUpSchema.safeParse({ email, name, password });
    if (!input.success) {
      const field = String(input.error.issues[0]?.path[0] ?? 'input');
      if (field === 'password') throw new CliError(`the password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`);
      throw new CliError(field === 'email' ? '--email must be an email address' : '--name must be 1 to 100 characters');
    }
    const platform = openPlatform(configFromArgs(args, io));
    try {
      const user = await platform.identity.createVerifiedUser(input.data, operatorMeta(io.env));
      if (args.values.json) writeJson(io, user);
      else io.stdout.write(`created user ${user.id} (${user.email})\n`);
      return 0;
    } finally {
      platform.close();
    }
  },
};
