import { statement, type SqliteDatabase } from '../core/database.ts';

/** A person's authenticator: the sealed secret, when it was confirmed, and the last step a code was accepted for. */
export interface TotpRow {
  user_id: string;
  secret_sealed: Buffer;
  confirmed_at: string | null;
  last_used_step: number | null;
}

export interface BackupCodeRow {
  id: string;
  code_hash: string;
}

export function findTotp(db: SqliteDatabase, userId: string): TotpRow | undefined {
  return statement(db, 'SELECT user_id, secret_sealed, confirmed_at, last_used_step FROM mfa_totp WHERE user_id = ?').get(userId) as
    | TotpRow
    | undefined;
}

/** Starts (or restarts) an enrolment; a confirmed authenticator is never overwritten. */
export function upsertPendingTotp(db: SqliteDatabase, userId: string, sealed: Buffer, at: string): boolean {
  return (
    statement(db,
      `INSERT INTO mfa_totp (user_id, secret_sealed, created_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, created_at = excluded.created_at
       WHERE mfa_totp.confirmed_at IS NULL`,
    ).run(userId, sealed, at).changes === 1
  );
}

/**
 * Records that a code for `step` was accepted, only if no code for that step or a later one
 * was: two requests racing with the same code cannot both pass.
 */
export function claimTotpStep(db: SqliteDatabase, userId: string, step: number, confirmAt?: string): boolean {
  return (
    statement(db,
      `UPDATE mfa_totp SET last_used_step = @step, confirmed_at = coalesce(confirmed_at, @confirmAt)
       WHERE user_id = @userId AND (last_used_step IS NULL OR last_used_step < @step)`,
    ).run({ userId, step, confirmAt: confirmAt ?? null }).changes === 1
  );
}

export function deleteMfa(db: SqliteDatabase, userId: string): void {
  statement(db, 'DELETE FROM mfa_backup_code WHERE user_id = ?').run(userId);
  statement(db, 'DELETE FROM mfa_totp WHERE user_id = ?').run(userId);
}

export function replaceBackupCodes(db: SqliteDatabase, userId: string, hashes: { id: string; hash: string }[], at: string): void {
  statement(db, 'DELETE FROM mfa_backup_code WHERE user_id = ?').run(userId);
  const insert = statement(db, 'INSERT INTO mfa_backup_code (id, user_id, code_hash, created_at) VALUES (?, ?, ?, ?)');
  for (const { id, hash } of hashes) insert.run(id, userId, hash, at);
}

export function unusedBackupCodes(db: SqliteDatabase, userId: string): BackupCodeRow[] {
  return statement(db, 'SELECT id, code_hash FROM mfa_backup_code WHERE user_id = ? AND used_at IS NULL').all(userId) as BackupCodeRow[];
}

/** Spends a code once: of two requests racing with it, only one changes the row. */
export function spendBackupCode(db: SqliteDatabase, id: string, at: string): boolean {
  return statement(db, 'UPDATE mfa_backup_code SET used_at = ? WHERE id = ? AND used_at IS NULL').run(at, id).changes === 1;
}

export function workspaceRequiresMfa(db: SqliteDatabase, workspaceId: string): boolean {
  const row = statement(db, 'SELECT require_mfa FROM workspace_mfa_policy WHERE workspace_id = ?').get(workspaceId) as
    | { require_mfa: number }
    | undefined;
  return row?.require_mfa === 1;
}

export function setWorkspaceRequiresMfa(db: SqliteDatabase, workspaceId: string, required: boolean, at: string): void {
  statement(db,
    `INSERT INTO workspace_mfa_policy (workspace_id, require_mfa, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (workspace_id) DO UPDATE SET require_mfa = excluded.require_mfa, updated_at = excluded.updated_at`,
  ).run(workspaceId, required ? 1 : 0, at);
}
