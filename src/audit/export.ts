import { setImmediate as nextTurn } from 'node:timers/promises';
import { z } from 'zod';
import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { SqliteDatabase } from '../core/database.ts';
import type { AuditEvent } from './event.ts';
import type { AuditLog } from './log.ts';
import { MAX_EVENT_PAGE, listEvents, type EventPage } from './store.ts';

/** An instant with its offset, compared as the log stores it: UTC ISO 8601 with milliseconds. */
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

/** LOG-07: the optional time window of an export, both ends inclusive; shared by the route and the CLI. */
export const exportRangeSchema = z.strictObject({ from: instant.optional(), to: instant.optional() });

/** Checked apart from the schema, so callers can answer an inverted window with its own error. */
export function rangeInverted(range: ExportRange): boolean {
  return range.from !== undefined && range.to !== undefined && range.from > range.to;
}
export type ExportRange = z.infer<typeof exportRangeSchema>;

/** Reads one page of a log; the log is flushed first, so what was just recorded is included. */
export type EventReader = (page: EventPage) => AuditEvent[];

/** A reader over a log held open by the caller (the control log, or a CLI's workspace handle). */
export function logReader(log: { audit: AuditLog; db: SqliteDatabase }): EventReader {
  return (page) => {
    log.audit.flush();
    return listEvents(log.db, page);
  };
}

/**
 * LOG-07: a log as JSON lines, oldest first, one event per line in the shape the audit API
 * answers with (seq, prevHash and hash included, so a SIEM can verify the chain; `details`
 * re-serialised canonically gives back the exact hashed text). Read a page at a time, so
 * memory stays flat whatever the log's size, with a turn of the event loop between pages.
 */
export async function* exportLines(read: EventReader, range: ExportRange): AsyncGenerator<string> {
  let afterSeq = 0;
  for (;;) {
    const events = read({ afterSeq, limit: MAX_EVENT_PAGE, ...(range.from ? { since: range.from } : {}), ...(range.to ? { until: range.to } : {}) });
    if (events.length === 0) return;
    yield events.map((event) => `${JSON.stringify(event)}\n`).join('');
    if (events.length < MAX_EVENT_PAGE) return;
    afterSeq = events.at(-1)!.seq;
    await nextTurn();
  }
}

/** Reading the whole log out is a data movement of its own (LOG-01): recorded in the log exported, before the first line. */
export function recordExport(audit: AuditLog, meta: RequestMeta, scope: { type: 'workspace' | 'control'; id: string }, range: ExportRange): Promise<unknown> {
  return audit.record(auditEvent(meta, 'audit.export', scope, { from: range.from ?? null, to: range.to ?? null }));
}
