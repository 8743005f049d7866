import { statement, type SqliteDatabase } from '../core/database.ts';

export interface DomainRow {
  workspace_id: string;
  domain: string;
  challenge: string;
  created_at: string;
  verified_at: string | null;
}

export interface ConnectionRow {
  id: string;
  workspace_id: string;
  domain: string;
  protocol: 'oidc' | 'saml';
  settings: string;
  secret_sealed: Buffer;
  default_role: string;
  created_at: string;
}

export function listDomains(db: SqliteDatabase, workspaceId: string): DomainRow[] {
  return statement(db, 'SELECT * FROM sso_domain WHERE workspace_id = ? ORDER BY domain').all(workspaceId) as DomainRow[];
}

export function findDomain(db: SqliteDatabase, workspaceId: string, domain: string): DomainRow | undefined {
  return statement(db, 'SELECT * FROM sso_domain WHERE workspace_id = ? AND domain = ?').get(workspaceId, domain) as DomainRow | undefined;
}

/** The workspace that has verified this domain, if one has. */
export function findVerifiedDomain(db: SqliteDatabase, domain: string): DomainRow | undefined {
  // A deleted workspace no longer holds its domains: another may verify them.
  return statement(
    db,
    'SELECT d.* FROM sso_domain d JOIN workspace w ON w.id = d.workspace_id WHERE d.domain = ? AND d.verified_at IS NOT NULL AND w.deleted_at IS NULL',
  ).get(domain) as DomainRow | undefined;
}

/** False when the workspace already has this domain. */
export function insertDomain(db: SqliteDatabase, row: DomainRow): boolean {
  return (
    statement(db,
      `INSERT INTO sso_domain (workspace_id, domain, challenge, created_at, verified_at)
       VALUES (@workspace_id, @domain, @challenge, @created_at, @verified_at) ON CONFLICT DO NOTHING`,
    ).run(row).changes === 1
  );
}

export function markDomainVerified(db: SqliteDatabase, workspaceId: string, domain: string, at: string): void {
  // A deleted workspace's claim gives way; it verifies again if restored and still published.
  statement(db, 'UPDATE sso_domain SET verified_at = NULL WHERE domain = ? AND workspace_id IN (SELECT id FROM workspace WHERE deleted_at IS NOT NULL)').run(domain);
  statement(db, 'UPDATE sso_domain SET verified_at = ? WHERE workspace_id = ? AND domain = ? AND verified_at IS NULL').run(at, workspaceId, domain);
}

/** Every verified domain of a live workspace, for the periodic re-check. */
export function listVerifiedDomains(db: SqliteDatabase): DomainRow[] {
  return statement(db, 'SELECT d.* FROM sso_domain d JOIN workspace w ON w.id = d.workspace_id WHERE d.verified_at IS NOT NULL AND w.deleted_at IS NULL').all() as DomainRow[];
}

export function unverifyDomain(db: SqliteDatabase, workspaceId: string, domain: string): void {
  statement(db, 'UPDATE sso_domain SET verified_at = NULL WHERE workspace_id = ? AND domain = ?').run(workspaceId, domain);
}

export function deleteDomain(db: SqliteDatabase, workspaceId: string, domain: string): boolean {
  return statement(db, 'DELETE FROM sso_domain WHERE workspace_id = ? AND domain = ?').run(workspaceId, domain).changes === 1;
}

export function listConnections(db: SqliteDatabase, workspaceId: string): ConnectionRow[] {
  return statement(db, 'SELECT * FROM sso_connection WHERE workspace_id = ? ORDER BY domain').all(workspaceId) as ConnectionRow[];
}

export function findConnection(db: SqliteDatabase, id: string): ConnectionRow | undefined {
  return statement(db, 'SELECT * FROM sso_connection WHERE id = ?').get(id) as ConnectionRow | undefined;
}

/** The connection for an address's domain, only while that domain stays verified by the connection's workspace. */
export function findConnectionForDomain(db: SqliteDatabase, domain: string): ConnectionRow | undefined {
  return statement(db,
    `SELECT c.* FROM sso_connection c
     JOIN sso_domain d ON d.workspace_id = c.workspace_id AND d.domain = c.domain AND d.verified_at IS NOT NULL
     WHERE c.domain = ?`,
  ).get(domain) as ConnectionRow | undefined;
}

/** False when the domain already has a connection. */
export function insertConnection(db: SqliteDatabase, row: ConnectionRow): boolean {
  return (
    statement(db,
      `INSERT INTO sso_connection (id, workspace_id, domain, protocol, settings, secret_sealed, default_role, created_at)
       VALUES (@id, @workspace_id, @domain, @protocol, @settings, @secret_sealed, @default_role, @created_at) ON CONFLICT (domain) DO NOTHING`,
    ).run(row).changes === 1
  );
}

export function deleteConnection(db: SqliteDatabase, workspaceId: string, id: string): ConnectionRow | undefined {
  return statement(db, 'DELETE FROM sso_connection WHERE workspace_id = ? AND id = ? RETURNING *').get(workspaceId, id) as ConnectionRow | undefined;
}

export interface SamlRequestRow {
  id_hash: string;
  connection_id: string;
  binding_hash: string;
  created_at: string;
  expires_at: string;
}

export function insertSamlRequest(db: SqliteDatabase, row: SamlRequestRow): void {
  statement(db,
    `INSERT INTO sso_saml_request (id_hash, connection_id, binding_hash, created_at, expires_at)
     VALUES (@id_hash, @connection_id, @binding_hash, @created_at, @expires_at)`,
  ).run(row);
}

/** Removes and returns a request id's row in one statement, so two answers to one request cannot both find it. */
export function takeSamlRequest(db: SqliteDatabase, idHash: string, connectionId: string): SamlRequestRow | undefined {
  return statement(db, 'DELETE FROM sso_saml_request WHERE id_hash = ? AND connection_id = ? RETURNING *').get(idHash, connectionId) as
    | SamlRequestRow
    | undefined;
}

export function deleteExpiredSamlRequests(db: SqliteDatabase, now: string): void {
  statement(db, 'DELETE FROM sso_saml_request WHERE expires_at <= ?').run(now);
  statement(db, 'DELETE FROM sso_saml_completion WHERE expires_at <= ?').run(now);
}

export interface SamlCompletionRow {
  code_hash: string;
  connection_id: string;
  identity: string;
  binding_hash: string;
  expires_at: string;
}

export function insertSamlCompletion(db: SqliteDatabase, row: SamlCompletionRow): void {
  statement(db,
    `INSERT INTO sso_saml_completion (code_hash, connection_id, identity, binding_hash, expires_at)
     VALUES (@code_hash, @connection_id, @identity, @binding_hash, @expires_at)`,
  ).run(row);
}

/** Single use, like the request ids: read and removed in one statement. */
export function takeSamlCompletion(db: SqliteDatabase, codeHash: string): SamlCompletionRow | undefined {
  return statement(db, 'DELETE FROM sso_saml_completion WHERE code_hash = ? RETURNING *').get(codeHash) as SamlCompletionRow | undefined;
}
