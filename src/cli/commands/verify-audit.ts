import type { AuditVerification } from '../../audit/verify.ts';
import { openPlatform } from '../../platform/platform.ts';
import { type Command, stringOption, writeJson } from '../command.ts';
import { configFromArgs, dataOptions } from '../config-options.ts';

export const verifyAuditCommand: Command = {
  name: 'verify-audit',
  summary: 'verify audit hash chains and signed checkpoints; exits 1 naming the first bad sequence number',
  details: 'Without --workspace, verifies the control-plane log and every workspace log.',
  options: {
    ...dataOptions,
    workspace: { type: 'string', description: 'verify only this workspace', placeholder: 'ID' },
    json: { type: 'boolean', description: 'print the results as JSON' },
  },
  async run(args, io) {
    const platform = openPlatform(configFromArgs(args, io));
    try {
      const only = stringOption(args, 'workspace');
      const results: { log: string; result: AuditVerification }[] = [];
      if (only) {
        platform.workspaces.get(only);
        results.push({ log: only, result: platform.workspaces.verifyAudit(only) });
      } else {
        results.push({ log: 'control', result: platform.verifyControlAudit() });
        for (const workspace of platform.workspaces.list()) {
          results.push({ log: workspace.id, result: platform.workspaces.verifyAudit(workspace.id) });
        }
      }
      if (args.values.json) writeJson(io, results);
      else {
        for (const { log, result } of results) {
          io.stdout.write(
            result.ok
              ? `${log}: ok (${result.events} events, ${result.checkpoints} checkpoints)\n`
              : `${log}: TAMPERED at seq ${result.firstBadSeq}: ${result.problem}\n`,
          );
        }
      }
      return results.every(({ result }) => result.ok) ? 0 : 1;
    } finally {
      platform.close();
    }
  },
};
