import { statement, type SqliteDatabase } from '../core/database.ts';

export interface InvitationRow {
  id: string;
  workspace_id: string;
  email: string;
  role: string;
  token_hash: string;
  invited_by: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  accepted_by: string | null;
  revoked_at: string | null;
}

/** Pending: neither accepted nor revoked, and not yet expired at `now` (ISO strings compare in time order). */
const PENDING = 'accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?';

export function insertInvitation(db: SqliteDatabase, row: InvitationRow): void {
  statement(db,
    `INSERT INTO workspace_invitation (id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at)
     VALUES (@id, @workspace_id, @email, @role, @token_hash, @invited_by, @created_at, @expires_at, @accepted_at, @accepted_by, @revoked_at)`,
  ).run(row);
}

export function listPendingInvitations(db: SqliteDatabase, workspaceId: string, now: string): InvitationRow[] {
  return statement(db, `SELECT * FROM workspace_invitation WHERE workspace_id = ? AND ${PENDING} ORDER BY created_at, id`).all(workspaceId, now) as InvitationRow[];
}

export function findPendingByEmail(db: SqliteDatabase, workspaceId: string, email: string, now: string): InvitationRow | undefined {
  return statement(db, `SELECT * FROM workspace_invitation WHERE workspace_id = ? AND email = ? AND ${PENDING}`).get(workspaceId, email, now) as
    | InvitationRow
    | undefined;
}

export function findPendingById(db: SqliteDatabase, workspaceId: string, id: string, now: string): InvitationRow | undefined {
  return statement(db, `SELECT * FROM workspace_invitation WHERE workspace_id = ? AND id = ? AND ${PENDING}`).get(workspaceId, id, now) as
    | InvitationRow
    | undefined;
}

export function markRevoked(db: SqliteDatabase, workspaceId: string, id: string, now: string): boolean {
  return statement(db, `UPDATE workspace_invitation SET revoked_at = ? WHERE workspace_id = ? AND id = ? AND ${PENDING}`).run(now, workspaceId, id, now).changes === 1;
}

/**
 * Claims a pending invitation for the address it was sent to, in one statement: of two
 * requests racing with one token only one gets the row. A mismatched address claims nothing,
 * so the invitation stays usable by the person it was meant for.
 */
export function claimInvitation(db: SqliteDatabase, tokenHash: string, email: string, userId: string, now: string): InvitationRow | undefined {
  return statement(db, `UPDATE workspace_invitation SET accepted_at = ?, accepted_by = ? WHERE token_hash = ? AND email = ? AND ${PENDING} RETURNING *`).get(
    now,
    userId,
    tokenHash,
    email,
    now,
  ) as InvitationRow | undefined;
}

/** The pending invitations sent to an address, across workspaces, for the person who proved it is theirs. */
export function listPendingForEmail(db: SqliteDatabase, email: string, now: string): InvitationRow[] {
  return statement(db, `SELECT * FROM workspace_invitation WHERE email = ? AND ${PENDING} ORDER BY created_at, id`).all(email, now) as InvitationRow[];
}

/** As claimInvitation, by id: for a person whose verified address is the invited one, the address is the proof, not the mailed token. */
export function claimInvitationById(db: SqliteDatabase, id: string, email: string, userId: string, now: string): InvitationRow | undefined {
  return statement(db, `UPDATE workspace_invitation SET accepted_at = ?, accepted_by = ? WHERE id = ? AND email = ? AND ${PENDING} RETURNING *`).get(
    now,
    userId,
    id,
    email,
    now,
  ) as InvitationRow | undefined;
}

/** Invitations that expired before `before`, whatever became of them, are removed whenever a new one is made; the audit log keeps their story. */
export function sweepInvitations(db: SqliteDatabase, before: string): void {
  statement(db, 'DELETE FROM workspace_invitation WHERE expires_at <= ?').run(before);
}
