import type { SqliteDatabase } from '../../core/database.ts';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { forgetRequestsBefore, insertRequest, requestsBy, requestsFor } from './store.ts';

export const EXPORTS_PER_HOUR = 3;
const WINDOW_MS = 3_600_000;

export interface ExportSlot {
  kind: 'workspace' | 'personal';
  /** Who asks: `user:<id>` or `api_key:<id>`; a person's workspace and personal exports share one count. */
  requester: string;
  workspaceId?: string;
}

/**
 * DAT-01: at most three exports an hour per requester and per workspace, over a sliding
 * hour. A persisted counter rather than @fastify/rate-limit: that store lives in memory, so
 * a restart would reset an hour-long window, and two of its counters checked one after the
 * other would spend the first when the second refuses. Here both are checked and the slot
 * taken in one synchronous transaction, so concurrent requests cannot both take the last one.
 */
export class ExportLimiter {
  readonly #db: SqliteDatabase;
  readonly #now: () => Date;
  readonly #take;

  constructor(db: SqliteDatabase, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
    this.#take = db.transaction((slot: ExportSlot, at: Date) => {
      const since = new Date(at.getTime() - WINDOW_MS).toISOString();
      forgetRequestsBefore(this.#db, since);
      const counted = [requestsBy(this.#db, slot.requester, since), slot.workspaceId ? requestsFor(this.#db, slot.workspaceId, since) : []];
      const full = counted.filter((times) => times.length >= EXPORTS_PER_HOUR);
      if (full.length > 0) {
        // The window reopens when the oldest counted export leaves it; the later of the two limits decides.
        const reopens = Math.max(...full.map((times) => Date.parse(times[times.length - EXPORTS_PER_HOUR]!) + WINDOW_MS));
        return Math.max(1, Math.ceil((reopens - at.getTime()) / 1000));
      }
      insertRequest(this.#db, {
        id: newId('exp'),
        kind: slot.kind,
        requester: slot.requester,
        workspace_id: slot.workspaceId ?? null,
        requested_at: at.toISOString(),
      });
      return 0;
    });
  }

  /** Takes one export slot, or refuses with 429 and Retry-After. */
  take(slot: ExportSlot): void {
    const retryAfter = this.#take(slot, this.#now()) as number;
    if (retryAfter > 0) {
      const after = String(retryAfter);
      throw new AppError(429, 'rate_limited', `at most ${EXPORTS_PER_HOUR} exports an hour; retry in ${after} seconds`, { 'retry-after': after });
    }
  }
}
