import { operatorMeta } from '../../access/actor.ts';
import { ROLES, type Role } from '../../access/permissions.ts';
import { emailSchema } from '../../identity/schema.ts';
import { openPlatform } from '../../platform/platform.ts';
import { workspaceNameSchema } from '../../workspaces/schema.ts';
import { CliError, type Command, requiredOption, writeJson } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

export const workspacesCreateCommand: Command = {
  name: 'workspaces create',
  summary: 'create a workspace with its own key seed and encrypted database (audited)',
  options: {
    ...dataOptions,
    name: { type: 'string', description: 'workspace name', placeholder: 'NAME' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, io) {
    const name = workspaceNameSchema.safeParse(requiredOption(args, 'name'));
    if (!name.success) throw new CliError('--name must be 1 to 100 characters');
    const platform = openPlatform(configFromArgs(args, io));
    try {
      const workspace = await platform.workspaces.create(name.data, operatorMeta(io.env));
      if (args.values.json) writeJson(io, workspace);
      else io.stdout.write(`created workspace ${workspace.id} (${workspace.name})\n`);
      return 0;
    } finally {
      platform.close();
    }
  },
};

export const workspacesListCommand: Command = {
  name: 'workspaces list',
  summary: 'list workspaces',
  options: { ...dataOptions, json: { type: 'boolean', description: 'print the result as JSON' } },
  async run(args, io) {
    const platform = openPlatform(configFromArgs(args, io));
    try {
      const workspaces = platform.workspaces.list();
      if (args.values.json) writeJson(io, workspaces);
      else for (const w of workspaces) io.stdout.write(`${w.id}  ${w.createdAt}  ${w.name}\n`);
      return 0;
    } finally {
      platform.close();
    }
  },
};

export const workspacesAddMemberCommand: Command = {
  name: 'workspaces add-member',
  summary: 'give an existing, verified account a role in a workspace (audited in the workspace log)',
  options: {
    ...dataOptions,
    workspace: { type: 'string', description: 'workspace id', placeholder: 'ID' },
    email: { type: 'string', description: 'email address of the account', placeholder: 'EMAIL' },
    role: { type: 'string', description: ROLES.join(', '), placeholder: 'ROLE' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, io) {
    const workspaceId = requiredOption(args, 'workspace');
    const email = emailSchema.safeParse(requiredOption(args, 'email'));
    if (!email.success) throw new CliError('--email must be an email address');
    const role = requiredOption(args, 'role');
    if (!(ROLES as readonly string[]).includes(role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
    const platform = openPlatform(configFromArgs(args, io));
    try {
      const member = await platform.members.add(workspaceId, email.data, role as Role, operatorMeta(io.env));
      if (args.values.json) writeJson(io, member);
      else io.stdout.write(`added ${member.email} to ${workspaceId} as ${member.role}\n`);
      return 0;
    } finally {
      platform.close();
    }
  },
};
