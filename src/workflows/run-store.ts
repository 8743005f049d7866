import { statement, type SqliteDatabase } from '../core/database.ts';

export interface RunRow {
  id: string;
  workflow_id: string;
  version: number;
  trigger: string;
  status: string;
  incognito: number;
  actor_type: string;
  actor_id: string;
  input: string | null;
  output: string | null;
  error_code: string | null;
  error_message: string | null;
  credits: number;
  started_at: string;
  finished_at: string | null;
}

export interface StepRow {
  run_id: string;
  seq: number;
  node_id: string;
  node_type: string;
  status: string;
  input: string | null;
  output: string | null;
  logs: string | null;
  error_code: string | null;
  error_message: string | null;
  credits: number;
  http_requests: number;
  started_at: string;
  duration_ms: number;
}

export function insertRun(db: SqliteDatabase, row: RunRow): void {
  statement(
    db,
    `INSERT INTO workflow_run (id, workflow_id, version, trigger, status, incognito, actor_type, actor_id, input, output, error_code, error_message, credits, started_at, finished_at)
     VALUES (@id, @workflow_id, @version, @trigger, @status, @incognito, @actor_type, @actor_id, @input, @output, @error_code, @error_message, @credits, @started_at, @finished_at)`,
  ).run(row);
}

/** A step and the run's running credit total, together, so budgets always see what was spent. */
export function insertStep(db: SqliteDatabase, row: StepRow): void {
  db.transaction(() => {
    statement(
      db,
      `INSERT INTO workflow_step (run_id, seq, node_id, node_type, status, input, output, logs, error_code, error_message, credits, http_requests, started_at, duration_ms)
       VALUES (@run_id, @seq, @node_id, @node_type, @status, @input, @output, @logs, @error_code, @error_message, @credits, @http_requests, @started_at, @duration_ms)`,
    ).run(row);
    statement(db, 'UPDATE workflow_run SET credits = credits + ? WHERE id = ?').run(row.credits, row.run_id);
  })();
}

export function finishRun(db: SqliteDatabase, id: string, end: { status: string; output: string | null; error_code: string | null; error_message: string | null; finished_at: string }): void {
  statement(db, 'UPDATE workflow_run SET status = @status, output = @output, error_code = @error_code, error_message = @error_message, finished_at = @finished_at WHERE id = @id').run({ id, ...end });
}

export function findRun(db: SqliteDatabase, id: string): RunRow | undefined {
  return statement(db, 'SELECT * FROM workflow_run WHERE id = ?').get(id) as RunRow | undefined;
}

export function listSteps(db: SqliteDatabase, runId: string): StepRow[] {
  return statement(db, 'SELECT * FROM workflow_step WHERE run_id = ? ORDER BY seq').all(runId) as StepRow[];
}

export function listRuns(db: SqliteDatabase, filter: { workflowId?: string | undefined; status?: string | undefined; before?: string | undefined; limit: number }): RunRow[] {
  return statement(
    db,
    `SELECT * FROM workflow_run WHERE (@workflowId IS NULL OR workflow_id = @workflowId) AND (@status IS NULL OR status = @status)
       AND (@before IS NULL OR started_at < @before) ORDER BY started_at DESC, id DESC LIMIT @limit`,
  ).all({ workflowId: filter.workflowId ?? null, status: filter.status ?? null, before: filter.before ?? null, limit: filter.limit }) as RunRow[];
}

/** ACC-02: credits spent since `since`, by the whole workspace or by one actor. */
export function creditsUsed(db: SqliteDatabase, since: string, actorId?: string): number {
  const row = (actorId === undefined
    ? statement(db, 'SELECT COALESCE(SUM(credits), 0) AS used FROM workflow_run WHERE started_at >= ?').get(since)
    : statement(db, 'SELECT COALESCE(SUM(credits), 0) AS used FROM workflow_run WHERE started_at >= ? AND actor_id = ?').get(since, actorId)) as { used: number };
  return row.used;
}

export function creditsByActor(db: SqliteDatabase, since: string): { actor_id: string; used: number }[] {
  return statement(db, 'SELECT actor_id, SUM(credits) AS used FROM workflow_run WHERE started_at >= ? GROUP BY actor_id').all(since) as { actor_id: string; used: number }[];
}

export function budgetOf(db: SqliteDatabase, subject: string): number | null {
  const row = statement(db, 'SELECT monthly_limit FROM workflow_credit_budget WHERE subject = ?').get(subject) as { monthly_limit: number } | undefined;
  return row?.monthly_limit ?? null;
}

export function listBudgets(db: SqliteDatabase): { subject: string; monthly_limit: number }[] {
  return statement(db, 'SELECT subject, monthly_limit FROM workflow_credit_budget ORDER BY subject').all() as { subject: string; monthly_limit: number }[];
}

export function setBudget(db: SqliteDatabase, subject: string, limit: number | null, at: string): void {
  if (limit === null) statement(db, 'DELETE FROM workflow_credit_budget WHERE subject = ?').run(subject);
  else statement(db, 'INSERT INTO workflow_credit_budget (subject, monthly_limit, updated_at) VALUES (?, ?, ?) ON CONFLICT (subject) DO UPDATE SET monthly_limit = excluded.monthly_limit, updated_at = excluded.updated_at').run(subject, limit, at);
}

/** WEB-07: remembers a delivered message id; false when it was already seen (a replay). Expired ids are dropped first. */
export function rememberMessage(db: SqliteDatabase, workflowId: string, messageId: string, now: string, expiresAt: string): boolean {
  return db.transaction(() => {
    statement(db, 'DELETE FROM workflow_webhook_message WHERE expires_at < ?').run(now);
    return statement(db, 'INSERT OR IGNORE INTO workflow_webhook_message (workflow_id, message_id, expires_at) VALUES (?, ?, ?)').run(workflowId, messageId, expiresAt).changes === 1;
  })();
}
