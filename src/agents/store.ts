import { statement, type SqliteDatabase } from '../core/database.ts';

export interface PairingTokenRow {
  id: string;
  workspace_id: string;
  name: string;
  token_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  agent_id: string | null;
}

export interface AgentRow {
  id: string;
  workspace_id: string;
  name: string;
  public_key: string;
  paired_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
}

export function insertPairingToken(db: SqliteDatabase, row: Omit<PairingTokenRow, 'used_at' | 'agent_id'>): void {
  statement(
    db,
    `INSERT INTO agent_pairing_token (id, workspace_id, name, token_hash, created_by, created_at, expires_at)
     VALUES (@id, @workspace_id, @name, @token_hash, @created_by, @created_at, @expires_at)`,
  ).run(row);
}

/** Pairing tokens not yet used, newest first (expired ones included, so people see why one no longer works). */
export function listPendingPairingTokens(db: SqliteDatabase, workspaceId: string): PairingTokenRow[] {
  return statement(db, 'SELECT * FROM agent_pairing_token WHERE workspace_id = ? AND used_at IS NULL ORDER BY created_at DESC, id').all(workspaceId) as PairingTokenRow[];
}

export function deletePendingPairingToken(db: SqliteDatabase, workspaceId: string, id: string): boolean {
  return statement(db, 'DELETE FROM agent_pairing_token WHERE id = ? AND workspace_id = ? AND used_at IS NULL').run(id, workspaceId).changes === 1;
}

/**
 * AGT-01: marks an unused, unexpired token used and returns it, in one statement, so two
 * agents racing with the same token cannot both get it: SQLite serialises the writes and
 * the second finds used_at set.
 */
export function consumePairingToken(db: SqliteDatabase, tokenHash: string, agentId: string, at: string): PairingTokenRow | undefined {
  return statement(
    db,
    `UPDATE agent_pairing_token SET used_at = ?, agent_id = ?
     WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING *`,
  ).get(at, agentId, tokenHash, at) as PairingTokenRow | undefined;
}

export function insertAgent(db: SqliteDatabase, row: Omit<AgentRow, 'last_seen_at' | 'revoked_at'>): void {
  statement(db, 'INSERT INTO agent (id, workspace_id, name, public_key, paired_at) VALUES (@id, @workspace_id, @name, @public_key, @paired_at)').run(row);
}

export function findAgent(db: SqliteDatabase, id: string): AgentRow | undefined {
  return statement(db, 'SELECT * FROM agent WHERE id = ?').get(id) as AgentRow | undefined;
}

export function listAgents(db: SqliteDatabase, workspaceId: string): AgentRow[] {
  return statement(db, 'SELECT * FROM agent WHERE workspace_id = ? ORDER BY paired_at, id').all(workspaceId) as AgentRow[];
}

export function revokeAgent(db: SqliteDatabase, workspaceId: string, id: string, at: string): boolean {
  const revoked = statement(db, 'UPDATE agent SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL').run(at, id, workspaceId).changes === 1;
  if (revoked) statement(db, 'DELETE FROM agent_challenge WHERE agent_id = ?').run(id);
  return revoked;
}

export function touchAgent(db: SqliteDatabase, id: string, at: string): void {
  statement(db, 'UPDATE agent SET last_seen_at = ? WHERE id = ?').run(at, id);
}

/**
 * Agent ids are not secret, so anyone may ask for challenges in an agent's name: keeping a
 * few pending per agent (not just the last) means such requests cannot easily displace the
 * one the real agent is about to answer, while unanswered ones still cannot pile up.
 */
export const PENDING_CHALLENGES_PER_AGENT = 16;

export function putChallenge(db: SqliteDatabase, agentId: string, nonceHash: string, expiresAt: string): void {
  statement(db, 'INSERT INTO agent_challenge (nonce_hash, agent_id, expires_at) VALUES (?, ?, ?)').run(nonceHash, agentId, expiresAt);
  statement(
    db,
    `DELETE FROM agent_challenge WHERE agent_id = ? AND nonce_hash NOT IN
       (SELECT nonce_hash FROM agent_challenge WHERE agent_id = ? ORDER BY expires_at DESC LIMIT ${PENDING_CHALLENGES_PER_AGENT})`,
  ).run(agentId, agentId);
}

/** Takes the agent's pending challenge if it is this nonce, and says whether it was still fresh: a matching nonce is gone afterwards whatever follows. */
export function takeChallenge(db: SqliteDatabase, agentId: string, nonceHash: string, at: string): boolean {
  const taken = statement(db, 'DELETE FROM agent_challenge WHERE nonce_hash = ? AND agent_id = ? RETURNING expires_at').get(nonceHash, agentId) as { expires_at: string } | undefined;
  return taken !== undefined && taken.expires_at > at;
}
