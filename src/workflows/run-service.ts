import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { Sandbox, type SandboxOptions } from '../sandbox/sandbox.ts';
import type { VaultService } from '../vault/service.ts';
import type { WorkspaceHandle } from '../workspaces/databases.ts';
import { storedPayload, storedText, toRun, toStep } from './records.ts';
import type { ReadOnlyDatasets } from './nodes/llm.ts';
import { executeRun, type RecordedStep } from './runner.ts';
import type { Credits, ListRunsQuery, Run, RunDetail } from './schema.ts';
import type { WorkflowService } from './service.ts';
import { budgetOf, creditsByActor, creditsUsed, findRun, finishRun, insertRun, insertStep, listBudgets, listRuns, listSteps, setBudget } from './run-store.ts';

export interface RunDeps {
  workspace(workspaceId: string): Pick<WorkspaceHandle, 'db' | 'audit'>;
  workflows: WorkflowService;
  vault: VaultService;
  sandbox: SandboxOptions;
  /** WFL-04: model steps' dataset tools read through the read-only, masked path (ACC-04). */
  datasets?: { readOnly(workspaceId: string): ReadOnlyDatasets };
  now?: () => Date;
}

const WORKSPACE_BUDGET = 'workspace';
const memberBudget = (memberId: string) => `member:${memberId}`;

/** ACC-02: whose member budget a run counts against — the person (or API key) who started it; webhook runs count only against the workspace's. */
function memberOf(meta: RequestMeta): string | undefined {
  const actor = meta.actor;
  if (actor.type === 'user' || actor.type === 'api_key') return actor.id;
  if (actor.type === 'mcp_client') return actor.userId;
  return undefined;
}

/**
 * Runs (WFL-06, WFL-05) and credits (ACC-02). Every run and step is recorded with status,
 * timings and credits; payloads as redacted copies, or not at all when the run is incognito.
 * Budgets are per UTC calendar month, for the workspace and for each member, and are asked
 * before every step. The sandbox starts with the first run and is shared by all of them.
 */
export class RunService {
  readonly #deps: RunDeps;
  readonly #now: () => Date;
  #sandbox: Promise<Sandbox> | undefined;

  constructor(deps: RunDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  async start(workspaceId: string, workflowId: string, request: { input?: unknown; incognito?: boolean | undefined }, trigger: 'manual' | 'webhook' | 'schedule', meta: RequestMeta): Promise<RunDetail> {
    const runnable = this.#deps.workflows.runnable(workspaceId, workflowId);
    if (!runnable.workflow.enabled) throw new AppError(409, 'workflow_disabled', 'the workflow is disabled');
    const { db, audit } = this.#deps.workspace(workspaceId);
    const incognito = request.incognito ?? runnable.workflow.incognito;
    const member = memberOf(meta);
    const id = newId('run');
    insertRun(db, {
      id,
      workflow_id: workflowId,
      version: runnable.workflow.version,
      trigger,
      status: 'running',
      incognito: incognito ? 1 : 0,
      actor_type: meta.actor.type,
      // A member's budget is counted by this column, so an AI client's run is the person's.
      actor_id: member ?? meta.actor.id,
      input: storedPayload(request.input ?? null, incognito),
      output: null,
      error_code: null,
      error_message: null,
      credits: 0,
      started_at: this.#now().toISOString(),
      finished_at: null,
    });
    const end = await executeRun(runnable.definition, runnable.order, request.input ?? null, {
      sandbox: () => this.#sandboxReady(),
      openCredential: (credentialId, node) => this.#deps.vault.openForNode(workspaceId, credentialId, { workflowId, workflowName: runnable.workflow.name, node }, meta),
      creditsLeft: () => this.#creditsLeft(workspaceId, member),
      recordStep: (step) => insertStep(db, this.#stepRow(id, step, incognito)),
      allowPrivateAddresses: this.#deps.sandbox.allowPrivateAddresses ?? false,
      datasets: () => this.#deps.datasets?.readOnly(workspaceId),
    });
    const error = end.status === 'failed' ? { code: end.code, message: end.message } : end.status === 'budget_exceeded' ? { code: 'budget_exceeded', message: `the credit budget does not cover step ${end.nodeId}` } : undefined;
    finishRun(db, id, {
      status: end.status,
      output: end.status === 'succeeded' ? storedPayload(end.output, incognito) : null,
      error_code: error?.code ?? null,
      error_message: error ? storedText(error.message, incognito) : null,
      finished_at: this.#now().toISOString(),
    });
    const run = findRun(db, id)!;
    const outcome = end.status === 'succeeded' ? 'success' : end.status === 'budget_exceeded' ? 'denied' : 'failure';
    await audit.record(
      auditEvent(meta, 'workflow.run', { type: 'workflow_run', id }, { workflowId, version: run.version, trigger, status: end.status, credits: run.credits, incognito, ...(error ? { errorCode: error.code } : {}) }, outcome),
    );
    return { ...toRun(run), steps: listSteps(db, id).map(toStep) };
  }

  list(workspaceId: string, query: ListRunsQuery): Run[] {
    return listRuns(this.#deps.workspace(workspaceId).db, query).map(toRun);
  }

  get(workspaceId: string, runId: string): RunDetail {
    const db = this.#deps.workspace(workspaceId).db;
    const run = findRun(db, runId);
    if (!run) throw new AppError(404, 'run_not_found', 'no run with that id in this workspace');
    return { ...toRun(run), steps: listSteps(db, runId).map(toStep) };
  }

  credits(workspaceId: string): Credits {
    const db = this.#deps.workspace(workspaceId).db;
    const since = this.#monthStart();
    const used = new Map(creditsByActor(db, since).map((row) => [row.actor_id, row.used]));
    const limits = new Map(listBudgets(db).filter((row) => row.subject.startsWith('member:')).map((row) => [row.subject.slice('member:'.length), row.monthly_limit]));
    const members = [...new Set([...used.keys(), ...limits.keys()])].sort().map((memberId) => ({ memberId, used: used.get(memberId) ?? 0, monthlyLimit: limits.get(memberId) ?? null }));
    return { period: since.slice(0, 7), workspace: { used: creditsUsed(db, since), monthlyLimit: budgetOf(db, WORKSPACE_BUDGET) }, members };
  }

  /** ACC-02: null removes the limit. `memberId` is a user id (or an API key id, for runs a key starts). */
  async setBudget(workspaceId: string, memberId: string | undefined, monthlyLimit: number | null, meta: RequestMeta): Promise<Credits> {
    const { db, audit } = this.#deps.workspace(workspaceId);
    const subject = memberId === undefined ? WORKSPACE_BUDGET : memberBudget(memberId);
    setBudget(db, subject, monthlyLimit, this.#now().toISOString());
    await audit.record(auditEvent(meta, 'workflow.budget.set', { type: 'credit_budget', id: subject }, { monthlyLimit }));
    return this.credits(workspaceId);
  }

  async close(): Promise<void> {
    const sandbox = this.#sandbox;
    this.#sandbox = undefined;
    await (await sandbox?.catch(() => undefined))?.close();
  }

  #sandboxReady(): Promise<Sandbox> {
    this.#sandbox ??= Sandbox.create(this.#deps.sandbox);
    // A sandbox that failed to start is retried by the next run rather than cached as failed.
    this.#sandbox.catch(() => (this.#sandbox = undefined));
    return this.#sandbox;
  }

  #monthStart(): string {
    return `${this.#now().toISOString().slice(0, 7)}-01T00:00:00.000Z`;
  }

  #creditsLeft(workspaceId: string, member: string | undefined): number {
    const db = this.#deps.workspace(workspaceId).db;
    const since = this.#monthStart();
    let left = Infinity;
    const workspaceLimit = budgetOf(db, WORKSPACE_BUDGET);
    if (workspaceLimit !== null) left = Math.min(left, workspaceLimit - creditsUsed(db, since));
    const memberLimit = member === undefined ? null : budgetOf(db, memberBudget(member));
    if (memberLimit !== null) left = Math.min(left, memberLimit - creditsUsed(db, since, member));
    return left;
  }

  #stepRow(runId: string, step: RecordedStep, incognito: boolean) {
    const outcome = step.outcome;
    return {
      run_id: runId,
      seq: step.seq,
      node_id: step.node.id,
      node_type: step.node.type,
      status: outcome.ok ? 'succeeded' : 'failed',
      input: storedPayload(step.input ?? null, incognito),
      output: outcome.ok ? storedPayload(outcome.output ?? null, incognito) : null,
      logs: outcome.logs.length === 0 ? null : storedPayload(outcome.logs, incognito),
      error_code: outcome.ok ? null : outcome.code,
      error_message: outcome.ok ? null : storedText(outcome.message, incognito),
      credits: step.credits,
      http_requests: outcome.httpRequests,
      started_at: step.startedAt,
      duration_ms: step.durationMs,
    };
  }
}
