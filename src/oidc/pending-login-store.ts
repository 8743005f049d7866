import { statement, type SqliteDatabase } from '../core/database.ts';
import { hashToken } from '../core/tokens.ts';

/** How long a started sign-in waits for the identity provider's answer. */
export const PENDING_LOGIN_SECONDS = 10 * 60;

/** What the relying party must remember between the redirect out and the callback. */
export interface PendingLogin {
  purpose: string;
  codeVerifier: string;
  nonce: string;
  data: Record<string, string>;
}

interface PendingLoginRow {
  purpose: string;
  code_verifier: string;
  nonce: string;
  data: string;
  expires_at: string;
}

/**
 * Started OIDC sign-ins in the control database. Only the state's SHA-256 is stored, and
 * `take` deletes the row in the statement that reads it, so a state works once, even when
 * two callbacks race with it.
 */
export class PendingLoginStore {
  readonly #db: SqliteDatabase;
  readonly #now: () => Date;

  constructor(db: SqliteDatabase, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  save(state: string, login: PendingLogin): void {
    const now = this.#now();
    // Abandoned sign-ins are swept whenever a new one starts, so the table stays small.
    statement(this.#db, 'DELETE FROM oidc_pending_login WHERE expires_at <= ?').run(now.toISOString());
    statement(
      this.#db,
      'INSERT INTO oidc_pending_login (state_hash, purpose, code_verifier, nonce, data, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      hashToken(state),
      login.purpose,
      login.codeVerifier,
      login.nonce,
      JSON.stringify(login.data),
      now.toISOString(),
      new Date(now.getTime() + PENDING_LOGIN_SECONDS * 1000).toISOString(),
    );
  }

  /** The pending sign-in this state names, once; undefined if unknown, already used or expired. */
  take(state: string): PendingLogin | undefined {
    const row = statement<[string], PendingLoginRow>(
      this.#db,
      'DELETE FROM oidc_pending_login WHERE state_hash = ? RETURNING purpose, code_verifier, nonce, data, expires_at',
    ).get(hashToken(state));
    if (!row || Date.parse(row.expires_at) <= this.#now().getTime()) return undefined;
    return { purpose: row.purpose, codeVerifier: row.code_verifier, nonce: row.nonce, data: JSON.parse(row.data) as Record<string, string> };
  }
}
