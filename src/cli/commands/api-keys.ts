import { operatorMeta } from '../../access/actor.ts';
import { createApiKeySchema } from '../../api-keys/schema.ts';
import { openPlatform } from '../../platform/platform.ts';
import { CliError, type Command, requiredOption, stringOption, writeJson } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

const workspaceOption = { workspace: { type: 'string' as const, description: 'workspace id', placeholder: 'ID' } };
const jsonOption = { json: { type: 'boolean' as const, description: 'print the result as JSON' } };

export const apiKeysCreateCommand: Command = {
  name: 'api-keys create',
  summary: 'create a workspace API key; the key is printed once and only its SHA-256 is stored',
  options: {
    ...dataOptions,
    ...workspaceOption,
    name: { type: 'string', description: 'what the key is for', placeholder: 'NAME' },
    role: { type: 'string', description: 'owner, admin, builder, viewer, workflow-only or agent-only', placeholder: 'ROLE' },
    'expires-at': { type: 'string', description: 'ISO-8601 expiry (optional)', placeholder: 'TIME' },
    ...jsonOption,
  },
  async run(args, io) {
    const workspaceId = requiredOption(args, 'workspace');
    const input = createApiKeySchema.safeParse({
      name: requiredOption(args, 'name'),
      role: requiredOption(args, 'role'),
      ...(stringOption(args, 'expires-at') ? { expiresAt: stringOption(args, 'expires-at') } : {}),
    });
    if (!input.success) throw new CliError(input.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; '));
    const platform = openPlatform(configFromArgs(args, io));
    try {
      platform.workspaces.get(workspaceId);
      const created = await platform.apiKeys.create(workspaceId, input.data, operatorMeta(io.env));
      if (args.values.json) writeJson(io, created);
      else io.stdout.write(`${created.token}\n`);
      io.stderr.write(`API key ${created.apiKey.id} created; the key above is shown only this once.\n`);
      return 0;
    } finally {
      platform.close();
    }
  },
};

export const apiKeysListCommand: Command = {
  name: 'api-keys list',
  summary: "list a workspace's API keys (never the keys themselves)",
  options: { ...dataOptions, ...workspaceOption, ...jsonOption },
  async run(args, io) {
    const workspaceId = requiredOption(args, 'workspace');
    const platform = openPlatform(configFromArgs(args, io));
    try {
      const keys = platform.apiKeys.list(workspaceId);
      if (args.values.json) writeJson(io, keys);
      else for (const k of keys) io.stdout.write(`${k.id}  ${k.hint}  ${k.role.padEnd(13)} ${k.revokedAt ? 'revoked' : 'active '}  ${k.name}\n`);
      return 0;
    } finally {
      platform.close();
    }
  },
};

export const apiKeysRevokeCommand: Command = {
  name: 'api-keys revoke',
  summary: 'revoke an API key; its next request fails',
  options: { ...dataOptions, ...workspaceOption, key: { type: 'string', description: 'API key id', placeholder: 'ID' } },
  async run(args, io) {
    const platform = openPlatform(configFromArgs(args, io));
    try {
      await platform.apiKeys.revoke(requiredOption(args, 'workspace'), requiredOption(args, 'key'), operatorMeta(io.env));
      io.stdout.write('revoked\n');
      return 0;
    } finally {
      platform.close();
    }
  },
};
