import type { TestServer } from '../helpers/server.ts';

/** An audit row as stored, read with plain SQL so the check does not depend on the audit module's readers. */
export interface AuditRow {
  seq: number;
  id: string;
  occurred_at: string;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  outcome: string;
  details: string;
  prev_hash: Buffer;
  hash: Buffer;
}

const SELECT = 'SELECT seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, ip, user_agent, request_id, outcome, details, prev_hash, hash FROM audit_events ORDER BY seq';

export function controlEvents(enclave: TestServer): AuditRow[] {
  const platform = enclave.server.platform;
  platform.controlAudit.flush();
  return platform.controlDb.prepare(SELECT).all() as AuditRow[];
}

export function workspaceEvents(enclave: TestServer, workspaceId: string): AuditRow[] {
  const handle = enclave.server.platform.databases.open(workspaceId);
  handle.audit.flush();
  return handle.db.prepare(SELECT).all() as AuditRow[];
}
