import { statement, type SqliteDatabase } from '../../core/database.ts';

/**
 * DAT-03: the SQL that empties a closed account. It reaches into other features' tables
 * (identity, MFA, passkeys, SCIM, invitations, memberships) because closing must take the
 * person out of all of them in one transaction; each feature's own rows are removed by
 * user id, exactly as a cascade on deleting the user would, while the "user" row itself
 * stays for the audit trail.
 */

/** Where a closed account's address was: `.invalid` is reserved (RFC 2606), so no mail can ever be sent there. */
export function closedAddress(userId: string): string {
  return `closed-${userId}@closed.invalid`;
}

export const CLOSED_NAME = 'Closed account';

export interface MembershipRow {
  workspace_id: string;
  role: string;
}

export function membershipsOf(db: SqliteDatabase, userId: string): MembershipRow[] {
  return statement(db, 'SELECT workspace_id, role FROM workspace_member WHERE user_id = ? ORDER BY workspace_id').all(userId) as MembershipRow[];
}

/** Owners and everyone else in a workspace, for the sole-owner rule. */
export function memberCounts(db: SqliteDatabase, workspaceId: string): { owners: number; members: number } {
  return statement(db, "SELECT count(*) FILTER (WHERE role = 'owner') AS owners, count(*) AS members FROM workspace_member WHERE workspace_id = ?").get(workspaceId) as {
    owners: number;
    members: number;
  };
}

export function deleteMemberships(db: SqliteDatabase, userId: string): number {
  return statement(db, 'DELETE FROM workspace_member WHERE user_id = ?').run(userId).changes;
}

/** Password hash (better-auth's credential row) and every linked sign-in (OIDC, SSO subjects). */
export function deleteSignInMethods(db: SqliteDatabase, userId: string): number {
  return statement(db, 'DELETE FROM "account" WHERE "userId" = ?').run(userId).changes;
}

/** Authenticator secret, backup codes, mailed codes and their hold, passkeys and passkey ceremonies. */
export function deleteSecondFactors(db: SqliteDatabase, userId: string): void {
  for (const table of ['mfa_totp', 'mfa_backup_code', 'mfa_email_code', 'mfa_email_code_hold', 'passkey', 'passkey_registration_challenge']) {
    statement(db, `DELETE FROM ${table} WHERE user_id = ?`).run(userId);
  }
}

/** Workspaces' SCIM records of the person hold their address and names. */
export function deleteDirectoryRecords(db: SqliteDatabase, userId: string): void {
  statement(db, 'DELETE FROM scim_user WHERE user_id = ?').run(userId);
}

/**
 * Invitations sent to the address or accepted by the account keep their row (the
 * workspace's history of who was invited when) without the address; pending ones to the
 * address are revoked, since the person they were meant for has gone.
 */
export function forgetInvitations(db: SqliteDatabase, userId: string, email: string, at: string): void {
  statement(db, 'UPDATE workspace_invitation SET revoked_at = ? WHERE lower(email) = lower(?) AND accepted_at IS NULL AND revoked_at IS NULL').run(at, email);
  statement(db, 'UPDATE workspace_invitation SET email = ? WHERE lower(email) = lower(?) OR accepted_by = ?').run(closedAddress(userId), email, userId);
}

export function clearLockouts(db: SqliteDatabase, subjects: string[]): void {
  for (const subject of subjects) statement(db, 'DELETE FROM sign_in_failure WHERE subject = ?').run(subject);
}

export function minimiseUser(db: SqliteDatabase, userId: string, at: string): void {
  statement(db, 'UPDATE "user" SET "name" = ?, "email" = ?, "image" = NULL, "emailVerified" = 0, "updatedAt" = ? WHERE "id" = ?').run(CLOSED_NAME, closedAddress(userId), at, userId);
}

export function recordClosedAccount(db: SqliteDatabase, userId: string, emailDigest: string, at: string): void {
  statement(db, 'INSERT INTO closed_account (user_id, email_digest, closed_at) VALUES (?, ?, ?)').run(userId, emailDigest, at);
}

export function isClosed(db: SqliteDatabase, userId: string): boolean {
  return statement(db, 'SELECT 1 FROM closed_account WHERE user_id = ?').get(userId) !== undefined;
}
