import type { Migration } from '../core/migrations.ts';

/**
 * Workflows in the workspace's own encrypted database (WFL-01, WFL-06, ACC-02, WEB-07).
 * `workflow_version` keeps every definition a workflow ever had; runs name the version they
 * ran. Payload columns of runs and steps (input, output, logs, error_message) stay NULL for
 * incognito runs (WFL-05). The webhook secret is sealed under the workspace vault key.
 * `workflow_webhook_message` remembers message ids until the signature tolerance has passed.
 */
export const workflowTables: Migration = {
  name: 'workflows',
  sql: `
    CREATE TABLE workflow (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      version INTEGER NOT NULL,
      trigger_type TEXT NOT NULL,
      incognito INTEGER NOT NULL,
      enabled INTEGER NOT NULL,
      hook_key_version INTEGER,
      hook_wrapped_key BLOB,
      hook_ciphertext BLOB,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE workflow_version (
      workflow_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      definition TEXT NOT NULL,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (workflow_id, version)
    ) STRICT;
    CREATE TABLE workflow_run (
      id TEXT PRIMARY KEY,
      workflow_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      trigger TEXT NOT NULL,
      status TEXT NOT NULL,
      incognito INTEGER NOT NULL,
      actor_type TEXT NOT NULL,
      actor_id TEXT NOT NULL,
      input TEXT,
      output TEXT,
      error_code TEXT,
      error_message TEXT,
      credits INTEGER NOT NULL,
      started_at TEXT NOT NULL,
      finished_at TEXT
    ) STRICT;
    CREATE INDEX workflow_run_workflow ON workflow_run(workflow_id, started_at);
    CREATE INDEX workflow_run_started ON workflow_run(started_at);
    CREATE INDEX workflow_run_actor ON workflow_run(actor_id, started_at);
    CREATE TABLE workflow_step (
      run_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      node_id TEXT NOT NULL,
      node_type TEXT NOT NULL,
      status TEXT NOT NULL,
      input TEXT,
      output TEXT,
      logs TEXT,
      error_code TEXT,
      error_message TEXT,
      credits INTEGER NOT NULL,
      http_requests INTEGER NOT NULL,
      started_at TEXT NOT NULL,
      duration_ms REAL NOT NULL,
      PRIMARY KEY (run_id, seq)
    ) STRICT;
    CREATE TABLE workflow_credit_budget (
      subject TEXT PRIMARY KEY,
      monthly_limit INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE workflow_webhook_message (
      workflow_id TEXT NOT NULL,
      message_id TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      PRIMARY KEY (workflow_id, message_id)
    ) STRICT;
    CREATE INDEX workflow_webhook_message_expiry ON workflow_webhook_message(expires_at);
  `,
};

/** WEB-07: which workspace a webhook's workflow lives in, so /hooks/:workflowId never takes a workspace id from the caller. */
export const workflowHookRouteTable: Migration = {
  name: 'workflow webhook routes',
  sql: `
    CREATE TABLE workflow_hook_route (
      workflow_id TEXT PRIMARY KEY,
      workspace_id TEXT NOT NULL
    ) STRICT;
    CREATE INDEX workflow_hook_route_workspace ON workflow_hook_route(workspace_id);
  `,
};
