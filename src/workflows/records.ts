import { redactValue } from '../core/redact/index.ts';
import type { Run, RunStatus, Step, Workflow } from './schema.ts';
import type { RunRow, StepRow } from './run-store.ts';
import type { WorkflowRow } from './store.ts';

export const WEBHOOK_PATH_PREFIX = '/hooks/';

/** WFL-06 and WFL-05: a payload as stored — a redacted copy, or nothing at all for an incognito run. */
export function storedPayload(value: unknown, incognito: boolean): string | null {
  if (incognito || value === undefined) return null;
  return JSON.stringify(redactValue(value));
}

export function storedText(value: string, incognito: boolean): string | null {
  return incognito ? null : (redactValue(value) as string);
}

const parsed = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export function toWorkflow(row: WorkflowRow): Workflow {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    trigger: row.trigger_type as Workflow['trigger'],
    incognito: row.incognito === 1,
    enabled: row.enabled === 1,
    webhookPath: row.trigger_type === 'webhook' ? `${WEBHOOK_PATH_PREFIX}${row.id}` : null,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    version: row.version,
    trigger: row.trigger as Run['trigger'],
    status: row.status as RunStatus,
    incognito: row.incognito === 1,
    actor: { type: row.actor_type, id: row.actor_id },
    input: parsed(row.input) as Run['input'],
    output: parsed(row.output) as Run['output'],
    errorCode: row.error_code,
    errorMessage: row.error_message,
    credits: row.credits,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function toStep(row: StepRow): Step {
  return {
    seq: row.seq,
    nodeId: row.node_id,
    nodeType: row.node_type,
    status: row.status as Step['status'],
    input: parsed(row.input) as Step['input'],
    output: parsed(row.output) as Step['output'],
    logs: parsed(row.logs) as Step['logs'],
    errorCode: row.error_code,
    errorMessage: row.error_message,
    credits: row.credits,
    httpRequests: row.http_requests,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
  };
}
