import { statement, type SqliteDatabase } from '../core/database.ts';
import { deleteExpiredArtifacts } from '../oauth/artifact-store.ts';

/** One kind of row that is dead once its deadline passes, and the SQL that removes it. */
interface ExpiringRows {
  name: string;
  /** Deletes the rows dead at `?` (an ISO 8601 instant). */
  sql: string;
}

/**
 * Expired rows already fail every check that reads them; deleting them keeps the control
 * database small and means a copy of it holds no more session or link hashes than it must.
 */
const EXPIRING: readonly ExpiringRows[] = [
  { name: 'sessions', sql: 'DELETE FROM "session" WHERE "expiresAt" <= ?' },
  { name: 'links', sql: 'DELETE FROM "verification" WHERE "expiresAt" <= ?' },
  { name: 'passkeySignInChallenges', sql: 'DELETE FROM passkey_authentication_challenge WHERE expires_at <= ?' },
  { name: 'passkeyRegistrationChallenges', sql: 'DELETE FROM passkey_registration_challenge WHERE expires_at <= ?' },
  { name: 'agentChallenges', sql: 'DELETE FROM agent_challenge WHERE expires_at <= ?' },
  { name: 'agentPairingTokens', sql: 'DELETE FROM agent_pairing_token WHERE used_at IS NULL AND expires_at <= ?' },
  { name: 'proofOfWorkSolutions', sql: 'DELETE FROM proof_of_work_spent WHERE expires_at <= ?' },
];

export interface SweepOptions {
  now: Date;
  /** Sign-in failures older than this no longer count toward a lockout (see sign-in-lockout.ts). */
  forgetFailuresAfterSeconds: number;
}

/** Deletes every expired row and says how many of each kind went. */
export function sweepExpired(db: SqliteDatabase, options: SweepOptions): Record<string, number> {
  const at = options.now.toISOString();
  const swept: Record<string, number> = {};
  for (const rows of EXPIRING) swept[rows.name] = statement(db, rows.sql).run(at).changes;
  const forgotten = new Date(options.now.getTime() - options.forgetFailuresAfterSeconds * 1000).toISOString();
  swept.signInFailures = statement(
    db,
    'DELETE FROM sign_in_failure WHERE last_failure_at <= ? AND (locked_until IS NULL OR locked_until <= ?)',
  ).run(forgotten, at).changes;
  // oidc-provider's artifacts keep their expiry in epoch seconds, as it hands them over.
  swept.oauthArtifacts = deleteExpiredArtifacts(db, Math.floor(options.now.getTime() / 1000));
  return swept;
}
