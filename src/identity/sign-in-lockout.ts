import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { clearFailures, findFailures, saveFailures } from './sign-in-lockout-store.ts';

/**
 * Account lockout with exponential back-off (WEB-05, ASVS V6.3.1): after a few free
 * failures an address is locked for 30 s, doubling with each further failure up to an
 * hour. The subject is a keyed digest of the address, and unknown addresses lock exactly
 * like real ones, so the lock itself reveals nothing about which accounts exist.
 * @fastify/rate-limit counts requests per IP; it cannot count failures per account,
 * which is what stops a slow, distributed guess at one password.
 */
export interface LockoutPolicy {
  freeFailures: number;
  baseSeconds: number;
  maxSeconds: number;
  /** Failures older than this no longer count towards a lock. */
  forgetAfterSeconds: number;
}

export interface LockoutOutcome {
  failures: number;
  lockedUntil?: Date;
}

export class SignInLockout {
  readonly #db: SqliteDatabase;
  readonly #policy: LockoutPolicy;
  readonly #now: () => Date;

  constructor(db: SqliteDatabase, policy: LockoutPolicy, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#policy = policy;
    this.#now = now;
  }

  /** Refuses, before any password is checked, while the subject is locked. */
  assertOpen(subject: string): void {
    const row = findFailures(this.#db, subject);
    const now = this.#now().getTime();
    if (row?.locked_until && Date.parse(row.locked_until) > now) {
      const retryAfter = Math.ceil((Date.parse(row.locked_until) - now) / 1000);
      throw new AppError(429, 'sign_in_locked', 'too many failed sign-ins for this account; try again later', {
        'retry-after': String(retryAfter),
      });
    }
  }

  recordFailure(subject: string): LockoutOutcome {
    const now = this.#now();
    const row = findFailures(this.#db, subject);
    const recent = row && now.getTime() - Date.parse(row.last_failure_at) < this.#policy.forgetAfterSeconds * 1000;
    const failures = (recent ? row.failures : 0) + 1;
    const over = failures - this.#policy.freeFailures;
    const lockedUntil =
      over >= 0 ? new Date(now.getTime() + Math.min(this.#policy.baseSeconds * 2 ** over, this.#policy.maxSeconds) * 1000) : undefined;
    saveFailures(this.#db, { subject, failures, last_failure_at: now.toISOString(), locked_until: lockedUntil?.toISOString() ?? null });
    return { failures, ...(lockedUntil ? { lockedUntil } : {}) };
  }

  recordSuccess(subject: string): void {
    clearFailures(this.#db, subject);
  }
}
