import { createWriteStream, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { operatorMeta } from '../../access/actor.ts';
import { FILE_MODE } from '../../core/database.ts';
import { AppError } from '../../core/errors.ts';
import { openPlatform } from '../../platform/platform.ts';
import { workspaceIdSchema } from '../../workspaces/schema.ts';
import { CliError, type Command, requiredOption, writeJson } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: "write a workspace's whole content to a tar archive (DAT-01; audited as the operator)",
  details: [
    'The archive holds JSON-lines files (every dataset with every row whole, members, invitations, the',
    'metadata of API keys, agents, pairing and SCIM tokens and vault credentials, the whole audit log),',
    'a README.txt describing the format and, last, manifest.json with each file\'s size, line count and',
    'SHA-256. No secret, token hash or ciphertext is exported. The file is created with mode 0600 and',
    'never overwritten. Progress (each file and its bytes) goes to stderr. The hourly limit of the HTTP',
    'export routes does not apply here; the export is recorded in the workspace audit log.',
  ].join('\n'),
  options: {
    ...dataOptions,
    workspace: { type: 'string', description: 'workspace id', placeholder: 'ID' },
    out: { type: 'string', description: 'archive file to create', placeholder: 'FILE' },
    json: { type: 'boolean', description: 'print the manifest summary as JSON on stdout' },
  },
  async run(args, io) {
    const workspaceId = workspaceIdSchema.safeParse(requiredOption(args, 'workspace'));
    if (!workspaceId.success) throw new CliError('--workspace must be a workspace id (ws_ and 32 hex digits)');
    const out = requiredOption(args, 'out');
    const platform = openPlatform(configFromArgs(args, io));
    try {
      let total = 0;
      let started;
      try {
        started = platform.exports.exportWorkspace(workspaceId.data, operatorMeta(io.env), {
          progress: (file) => {
            total += file.bytes;
            io.stderr.write(`${file.path}: ${file.lines} lines, ${file.bytes} bytes (${total} bytes so far)\n`);
          },
        });
      } catch (error) {
        if (error instanceof AppError && error.code === 'workspace_not_found') throw new CliError(`no workspace ${workspaceId.data}`);
        throw error;
      }
      // Plaintext customer data: only the operator may read the file, and an existing file is never replaced.
      let target;
      try {
        target = createWriteStream(out, { flags: 'wx', mode: FILE_MODE });
        await new Promise((resolve, reject) => target!.once('open', resolve).once('error', reject));
      } catch (error) {
        started.archive.destroy();
        await started.finished.catch(() => {});
        throw new CliError(`cannot create ${out}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      try {
        await Promise.all([pipeline(started.archive, target), started.finished]);
      } catch (error) {
        rmSync(out, { force: true });
        throw error;
      }
      const { manifest, bytes } = await started.finished;
      const summary = { path: out, workspaceId: workspaceId.data, createdAt: manifest.createdAt, formatVersion: manifest.formatVersion, files: manifest.files.length + 1, bytes };
      if (args.values.json) writeJson(io, summary);
      else io.stdout.write(`export written: ${out} (${summary.files} files, ${bytes} bytes)\n`);
      return 0;
    } finally {
      platform.close();
    }
  },
};
