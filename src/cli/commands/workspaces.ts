import { operatorMeta } from '../../access/actor.ts';
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
