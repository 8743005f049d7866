import type { UserActor, UserMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { hashToken, newSecret } from '../core/tokens.ts';
import { expiredSessionCookie, readSessionToken, serializeSessionCookie, type SessionCookie } from './cookie.ts';
import type { SessionSummary } from './schema.ts';
import {
  completeSecondFactor,
  countSecondFactorAttempt,
  deleteOtherSessions,
  deleteSession,
  findSessionByTokenHash,
  listUserSessions,
  rotateSessionToken,
  touchSession,
} from './session-store.ts';

export interface SessionPolicy {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
  rotationSeconds: number;
  rotationGraceSeconds: number;
}

export interface SessionServiceDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  secret: string;
  cookie: SessionCookie;
  policy: SessionPolicy;
  now?: () => Date;
}

export interface ResolvedSession {
  actor: UserActor;
  /** A Set-Cookie line carrying the session's new token, when this request rotated it. */
  setCookie?: string;
}

/** A sign-in that still owes its second factor, as its cookie names it. */
export interface PendingSignIn {
  sessionId: string;
  userId: string;
  tokenHash: string;
  /** How the first factor was proven, as the sign-in recorded it. */
  firstFactor: string | null;
}

/** last-seen is a hint and the idle deadline slides with it: write it at most this often. */
const MAX_TOUCH_INTERVAL_MS = 60_000;

/**
 * Enclave's session policy over better-auth's session table (SES-01, SES-03..05).
 * better-auth creates the session at sign-in; from then on every request's cookie is
 * checked here, against an idle deadline that slides with use and an absolute one that
 * never moves. better-auth's own refresh keeps the same token forever, so rotation is
 * done here: once a token is older than the rotation interval, the next request swaps a
 * new one into the same row and gets it in a Set-Cookie, while the old token keeps
 * working for a short grace period so requests already in flight do not fail. The row,
 * and so the session id people see, stays the same; deleting it ends both tokens.
 */
export class SessionService {
  readonly #deps: SessionServiceDeps;
  readonly #now: () => Date;
  readonly #touchMs: number;

  constructor(deps: SessionServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#touchMs = Math.min(MAX_TOUCH_INTERVAL_MS, (deps.policy.idleTimeoutSeconds * 1000) / 10);
  }

  get cookie(): SessionCookie {
    return this.#deps.cookie;
  }

  /** The person a session cookie stands for, or undefined for any cookie that must not work. */
  resolve(cookieHeader: string | undefined): ResolvedSession | undefined {
    const { controlDb: db, policy, secret, cookie } = this.#deps;
    const token = readSessionToken(cookieHeader, cookie, secret);
    if (!token) return undefined;
    const now = this.#now();
    const nowMs = now.getTime();
    const tokenHash = hashToken(token);
    const row = findSessionByTokenHash(db, tokenHash, now.toISOString());
    if (!row) return undefined;
    const absoluteEnd = Date.parse(row.createdAt) + policy.absoluteTimeoutSeconds * 1000;
    if (Date.parse(row.expiresAt) <= nowMs || absoluteEnd <= nowMs) {
      deleteSession(db, row.id, row.userId);
      return undefined;
    }
    // A sign-in waiting for its second factor is no session at all, for every route (IDN-04).
    if (row.mfaPendingUntil !== null) return undefined;
    const actor: UserActor = { type: 'user', id: row.userId, sessionId: row.id };
    // A replaced token still in its grace period is served, but never rotated again.
    if (row.token !== tokenHash) return { actor };
    const expiresMs = Math.min(nowMs + policy.idleTimeoutSeconds * 1000, absoluteEnd);
    const expiresAt = new Date(expiresMs).toISOString();
    if (nowMs - Date.parse(row.tokenIssuedAt ?? row.createdAt) >= policy.rotationSeconds * 1000) {
      const { secret: newToken, hash: newTokenHash } = newSecret();
      const graceUntil = new Date(nowMs + policy.rotationGraceSeconds * 1000).toISOString();
      const change = { id: row.id, currentTokenHash: tokenHash, newTokenHash, now: now.toISOString(), graceUntil, expiresAt };
      if (rotateSessionToken(db, change)) {
        return { actor, setCookie: serializeSessionCookie(cookie, newToken, secret, (expiresMs - nowMs) / 1000) };
      }
      return { actor };
    }
    if (nowMs - Date.parse(row.updatedAt) >= this.#touchMs) touchSession(db, row.id, now.toISOString(), expiresAt);
    return { actor };
  }

  /** The pending sign-in a cookie names, while it is still inside its deadline. */
  pendingSignIn(cookieHeader: string | undefined): PendingSignIn | undefined {
    const token = readSessionToken(cookieHeader, this.#deps.cookie, this.#deps.secret);
    if (!token) return undefined;
    const now = this.#now().toISOString();
    const tokenHash = hashToken(token);
    const row = findSessionByTokenHash(this.#deps.controlDb, tokenHash, now);
    if (!row || row.token !== tokenHash || row.mfaPendingUntil === null || row.mfaPendingUntil <= now) return undefined;
    return { sessionId: row.id, userId: row.userId, tokenHash, firstFactor: row.mfaFirstFactor };
  }

  /** Spends one of a pending sign-in's attempts at its second factor; false when none are left. */
  countSecondFactorAttempt(pending: PendingSignIn, max: number): boolean {
    return countSecondFactorAttempt(this.#deps.controlDb, pending.sessionId, max);
  }

  /** Turns a pending sign-in into a full session under a fresh token; the Set-Cookie line, or undefined if it raced away. */
  completeSecondFactor(pending: PendingSignIn): string | undefined {
    const { controlDb: db, policy, secret, cookie } = this.#deps;
    const now = this.#now();
    const row = findSessionByTokenHash(db, pending.tokenHash, now.toISOString());
    if (!row) return undefined;
    const expiresMs = Math.min(now.getTime() + policy.idleTimeoutSeconds * 1000, Date.parse(row.createdAt) + policy.absoluteTimeoutSeconds * 1000);
    const { secret: newToken, hash: newTokenHash } = newSecret();
    const change = {
      id: pending.sessionId,
      currentTokenHash: pending.tokenHash,
      newTokenHash,
      now: now.toISOString(),
      expiresAt: new Date(expiresMs).toISOString(),
    };
    if (!completeSecondFactor(db, change)) return undefined;
    return serializeSessionCookie(cookie, newToken, secret, (expiresMs - now.getTime()) / 1000);
  }

  /** SES-04: the person's live sessions, without their tokens. */
  list(actor: UserActor): SessionSummary[] {
    return listUserSessions(this.#deps.controlDb, actor.id, this.#now().toISOString()).map((row) => ({
      id: row.id,
      userAgent: row.userAgent || null,
      ipAddress: row.ipAddress || null,
      createdAt: row.createdAt,
      lastSeenAt: row.updatedAt,
      expiresAt: row.expiresAt,
      current: row.id === actor.sessionId,
    }));
  }

  /** SES-03: ends the session on the server; returns the Set-Cookie line that clears it in the browser. */
  async signOut(meta: UserMeta): Promise<string> {
    deleteSession(this.#deps.controlDb, meta.actor.sessionId, meta.actor.id);
    await this.#deps.controlAudit.record(auditEvent(meta, 'session.sign_out', { type: 'session', id: meta.actor.sessionId }));
    return expiredSessionCookie(this.#deps.cookie);
  }

  /** SES-04: ends one of the person's own sessions; true when it was the one making the request. */
  async revoke(meta: UserMeta, sessionId: string): Promise<boolean> {
    if (!deleteSession(this.#deps.controlDb, sessionId, meta.actor.id)) {
      throw new AppError(404, 'session_not_found', 'you have no session with that id');
    }
    await this.#deps.controlAudit.record(auditEvent(meta, 'session.revoke', { type: 'session', id: sessionId }));
    return sessionId === meta.actor.sessionId;
  }

  /** Ends every session of the person but the one making the request. */
  async revokeOthers(meta: UserMeta): Promise<number> {
    const ended = deleteOtherSessions(this.#deps.controlDb, meta.actor.id, meta.actor.sessionId);
    await this.#deps.controlAudit.record(auditEvent(meta, 'session.revoke_others', { type: 'user', id: meta.actor.id }, { ended }));
    return ended;
  }
}
