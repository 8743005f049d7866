import { createWriteStream, rmSync } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { operatorMeta } from '../../access/actor.ts';
import { exportLines, exportRangeSchema, logReader, rangeInverted, recordExport, type EventReader } from '../../audit/export.ts';
import { FILE_MODE } from '../../core/database.ts';
import { openPlatform } from '../../platform/platform.ts';
import { workspaceIdSchema } from '../../workspaces/schema.ts';
import { CliError, type Command, stringOption } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

export const auditExportCommand: Command = {
  name: 'audit export',
  summary: 'write an audit log as JSON lines, for a SIEM or an auditor (LOG-07; audited as the operator)',
  details: [
    'One event per line, oldest first, in the shape GET /api/w/:id/audit-events answers with: seq, id,',
    'occurredAt, actor, action, target, outcome, ip, userAgent, requestId, details, prevHash and hash.',
    'hash = hex SHA-256 of prevHash followed by the JSON array [seq, id, occurredAt, actor.type, actor.id,',
    'action, target.type, target.id, ip, userAgent, requestId, outcome, details as a string of canonical',
    'JSON] (null for a missing target), so the lines verify as a chain on their own (src/audit/chain.ts).',
    '--from and --to (ISO 8601 with an offset, inclusive)',
    'narrow the window. Without --out the lines go to stdout; --out creates the file with mode 0600 and',
    'never overwrites one. The export itself is recorded in the log exported, before its first line.',
  ].join('\n'),
  options: {
    ...dataOptions,
    workspace: { type: 'string', description: "export this workspace's log", placeholder: 'ID' },
    control: { type: 'boolean', description: 'export the control-plane log (accounts, sign-ins, server events)' },
    from: { type: 'string', description: 'first instant to include', placeholder: 'ISO-8601' },
    to: { type: 'string', description: 'last instant to include', placeholder: 'ISO-8601' },
    out: { type: 'string', description: 'file to create instead of writing to stdout', placeholder: 'FILE' },
  },
  async run(args, io) {
    const only = stringOption(args, 'workspace');
    if (Boolean(only) === Boolean(args.values.control)) throw new CliError('give either --workspace ID or --control');
    const workspaceId = only === undefined ? undefined : workspaceIdSchema.safeParse(only);
    if (workspaceId && !workspaceId.success) throw new CliError('--workspace must be a workspace id (ws_ and 32 hex digits)');
    const range = exportRangeSchema.safeParse({ from: stringOption(args, 'from'), to: stringOption(args, 'to') });
    if (!range.success) throw new CliError('--from and --to must be ISO 8601 instants with an offset, for example 2026-01-31T00:00:00Z');
    if (rangeInverted(range.data)) throw new CliError('--from must not be later than --to');
    const out = stringOption(args, 'out');
    const platform = openPlatform(configFromArgs(args, io));
    try {
      let read: EventReader;
      const meta = operatorMeta(io.env);
      if (workspaceId) {
        const id = workspaceId.data;
        if (!platform.workspaces.exists(id)) throw new CliError(`no workspace ${id}`);
        const handle = platform.databases.open(id);
        await recordExport(handle.audit, meta, { type: 'workspace', id }, range.data);
        read = logReader(handle);
      } else {
        await recordExport(platform.controlAudit, meta, { type: 'control', id: 'control' }, range.data);
        read = logReader({ audit: platform.controlAudit, db: platform.controlDb });
      }
      let target: Writable = io.stdout;
      if (out !== undefined) {
        // Audit trails name people and addresses: only the operator may read the file, and an existing one is never replaced.
        try {
          const file = createWriteStream(out, { flags: 'wx', mode: FILE_MODE });
          await new Promise((resolve, reject) => file.once('open', resolve).once('error', reject));
          target = file;
        } catch (error) {
          throw new CliError(`cannot create ${out}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
        }
      }
      try {
        await pipeline(Readable.from(exportLines(read, range.data)), target, { end: target !== io.stdout });
      } catch (error) {
        if (out !== undefined) rmSync(out, { force: true });
        throw error;
      }
      return 0;
    } finally {
      platform.close();
    }
  },
};
