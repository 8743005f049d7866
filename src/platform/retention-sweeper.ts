import { setImmediate as nextTurn } from 'node:timers/promises';
import { applyAuditRetention } from '../audit/retention.ts';
import type { Logger } from '../core/logger.ts';
import type { Platform } from './platform.ts';

export interface RetentionSweep {
  /** Audit events removed, per log (`control` or a workspace id); logs with nothing to remove are left out. */
  trimmed: Record<string, number>;
  /** Logs whose trim was refused (for example a chain already broken): nothing was removed there. */
  refused: string[];
  /** DAT-02: workspaces whose retention after deletion ended, destroyed in this sweep. */
  shredded: string[];
  /** IDN-06: verified SSO domains whose TXT record is gone (`workspace:domain`). */
  domainsWithdrawn: string[];
}

/**
 * LOG-03: trims every audit log to the configured retention. Workspaces are handled one per
 * event-loop turn, so a server with many workspaces keeps answering requests meanwhile.
 */
export async function sweepRetention(platform: Platform, now: Date, options: { logger?: Logger; signal?: AbortSignal } = {}): Promise<RetentionSweep> {
  const { logger, signal } = options;
  const cutoff = new Date(now.getTime() - platform.config.retention.auditDays * 86_400_000);
  const sweep: RetentionSweep = { trimmed: {}, refused: [], shredded: [], domainsWithdrawn: [] };
  const trim = (name: string, run: () => { removed: number } | undefined) => {
    try {
      const done = run();
      if (done) sweep.trimmed[name] = done.removed;
    } catch (error) {
      sweep.refused.push(name);
      logger?.warn({ err: error, log: name }, 'audit retention trim refused; nothing removed from this log');
    }
  };
  sweep.shredded = await platform.deletion.shredExpired(now);
  sweep.domainsWithdrawn = await platform.sso.domains.recheckAll({ actor: { type: 'system', id: 'retention' } });
  trim('control', () => applyAuditRetention(platform.controlAudit, platform.controlDb, cutoff));
  for (const workspace of platform.workspaces.list()) {
    await nextTurn();
    // The server is shutting down: the rest waits for the next sweep.
    if (signal?.aborted) break;
    trim(workspace.id, () => {
      const handle = platform.databases.open(workspace.id);
      return applyAuditRetention(handle.audit, handle.db, cutoff);
    });
  }
  return sweep;
}
