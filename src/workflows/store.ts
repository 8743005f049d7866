import { statement, type SqliteDatabase } from '../core/database.ts';

export interface WorkflowRow {
  id: string;
  name: string;
  version: number;
  trigger_type: string;
  incognito: number;
  enabled: number;
  hook_key_version: number | null;
  hook_wrapped_key: Buffer | null;
  hook_ciphertext: Buffer | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface VersionRow {
  workflow_id: string;
  version: number;
  definition: string;
  created_by: string;
  created_at: string;
}

export function insertWorkflow(db: SqliteDatabase, row: WorkflowRow, version: VersionRow): void {
  db.transaction(() => {
    statement(
      db,
      `INSERT INTO workflow (id, name, version, trigger_type, incognito, enabled, hook_key_version, hook_wrapped_key, hook_ciphertext, created_by, created_at, updated_at)
       VALUES (@id, @name, @version, @trigger_type, @incognito, @enabled, @hook_key_version, @hook_wrapped_key, @hook_ciphertext, @created_by, @created_at, @updated_at)`,
    ).run(row);
    insertVersion(db, version);
  })();
}

function insertVersion(db: SqliteDatabase, row: VersionRow): void {
  statement(db, 'INSERT INTO workflow_version (workflow_id, version, definition, created_by, created_at) VALUES (@workflow_id, @version, @definition, @created_by, @created_at)').run(row);
}

/** Replaces the workflow's row, and adds the new version when the definition changed. */
export function updateWorkflow(db: SqliteDatabase, row: WorkflowRow, version: VersionRow | undefined): void {
  db.transaction(() => {
    statement(
      db,
      `UPDATE workflow SET name = @name, version = @version, trigger_type = @trigger_type, incognito = @incognito, enabled = @enabled,
         hook_key_version = @hook_key_version, hook_wrapped_key = @hook_wrapped_key, hook_ciphertext = @hook_ciphertext, updated_at = @updated_at WHERE id = @id`,
    ).run(row);
    if (version) insertVersion(db, version);
  })();
}

export function findWorkflow(db: SqliteDatabase, id: string): WorkflowRow | undefined {
  return statement(db, 'SELECT * FROM workflow WHERE id = ?').get(id) as WorkflowRow | undefined;
}

export function findWorkflowByName(db: SqliteDatabase, name: string): WorkflowRow | undefined {
  return statement(db, 'SELECT * FROM workflow WHERE name = ?').get(name) as WorkflowRow | undefined;
}

export function listWorkflows(db: SqliteDatabase): WorkflowRow[] {
  return statement(db, 'SELECT * FROM workflow ORDER BY created_at, id').all() as WorkflowRow[];
}

export function findVersion(db: SqliteDatabase, workflowId: string, version: number): VersionRow | undefined {
  return statement(db, 'SELECT * FROM workflow_version WHERE workflow_id = ? AND version = ?').get(workflowId, version) as VersionRow | undefined;
}

export function listVersions(db: SqliteDatabase, workflowId: string): VersionRow[] {
  return statement(db, 'SELECT * FROM workflow_version WHERE workflow_id = ? ORDER BY version DESC').all(workflowId) as VersionRow[];
}

/** The workflow and its versions go; its runs stay as the record of what happened. */
export function deleteWorkflow(db: SqliteDatabase, id: string): boolean {
  return db.transaction(() => {
    statement(db, 'DELETE FROM workflow_version WHERE workflow_id = ?').run(id);
    statement(db, 'DELETE FROM workflow_webhook_message WHERE workflow_id = ?').run(id);
    return statement(db, 'DELETE FROM workflow WHERE id = ?').run(id).changes === 1;
  })();
}

/** WEB-07: the control database's index from workflow id to workspace, for /hooks/:workflowId. */
export const hookRoutes = {
  add(controlDb: SqliteDatabase, workflowId: string, workspaceId: string): void {
    statement(controlDb, 'INSERT INTO workflow_hook_route (workflow_id, workspace_id) VALUES (?, ?)').run(workflowId, workspaceId);
  },
  remove(controlDb: SqliteDatabase, workflowId: string): void {
    statement(controlDb, 'DELETE FROM workflow_hook_route WHERE workflow_id = ?').run(workflowId);
  },
  workspaceOf(controlDb: SqliteDatabase, workflowId: string): string | undefined {
    const row = statement(controlDb, 'SELECT workspace_id FROM workflow_hook_route WHERE workflow_id = ?').get(workflowId) as { workspace_id: string } | undefined;
    return row?.workspace_id;
  },
};
