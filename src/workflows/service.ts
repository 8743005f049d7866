import { randomBytes } from 'node:crypto';
import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { VaultService } from '../vault/service.ts';
import type { WorkspaceHandle } from '../workspaces/databases.ts';
import { checkGraph } from './graph.ts';
import { toWorkflow } from './records.ts';
import { definitionSchema, type CreateWorkflow, type Definition, type UpdateWorkflow, type Workflow, type WorkflowDetail } from './schema.ts';
import { deleteWorkflow, findVersion, findWorkflow, findWorkflowByName, hookRoutes, insertWorkflow, listVersions, listWorkflows, updateWorkflow, type WorkflowRow } from './store.ts';

export interface WorkflowDeps {
  workspace(workspaceId: string): Pick<WorkspaceHandle, 'db' | 'audit'>;
  controlDb: SqliteDatabase;
  vault: VaultService;
  now?: () => Date;
}

/** A definition as the runner needs it: the version, its graph, and the checked topological order. */
export interface Runnable {
  workflow: Workflow;
  definition: Definition;
  order: string[];
}

/** Answered once, when the secret is made; it is stored only sealed in the vault (WEB-07). */
export interface SavedWorkflow {
  workflow: WorkflowDetail;
  webhookSecret?: string;
}

const notFound = () => new AppError(404, 'workflow_not_found', 'no workflow with that id in this workspace');

/** Standard Webhooks secrets are `whsec_` and base64 of 24 to 64 random bytes. */
function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** WFL-01: workflow definitions, validated and versioned in the workspace's own database; every change audited. */
export class WorkflowService {
  readonly #deps: WorkflowDeps;
  readonly #now: () => Date;
  readonly #listeners = new Set<(workspaceId: string) => void>();

  constructor(deps: WorkflowDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /** WFL-01: told after every create, update or delete, so the scheduler reloads that workspace's schedules. Returns the unsubscribe. */
  onChange(listener: (workspaceId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  list(workspaceId: string): Workflow[] {
    return listWorkflows(this.#deps.workspace(workspaceId).db).map(toWorkflow);
  }

  get(workspaceId: string, workflowId: string): WorkflowDetail {
    const db = this.#deps.workspace(workspaceId).db;
    const row = this.#row(db, workflowId);
    return { ...toWorkflow(row), definition: this.#definition(db, row.id, row.version) };
  }

  versions(workspaceId: string, workflowId: string) {
    const db = this.#deps.workspace(workspaceId).db;
    this.#row(db, workflowId);
    return listVersions(db, workflowId).map((row) => ({ version: row.version, createdBy: row.created_by, createdAt: row.created_at, definition: definitionSchema.parse(JSON.parse(row.definition)) }));
  }

  runnable(workspaceId: string, workflowId: string): Runnable {
    const detail = this.get(workspaceId, workflowId);
    return { workflow: detail, definition: detail.definition, order: checkGraph(detail.definition) };
  }

  async create(workspaceId: string, input: CreateWorkflow, meta: RequestMeta): Promise<SavedWorkflow> {
    checkGraph(input.definition);
    const { db, audit } = this.#deps.workspace(workspaceId);
    if (findWorkflowByName(db, input.name)) throw new AppError(409, 'workflow_name_taken', 'a workflow with that name already exists');
    const id = newId('wf');
    const at = this.#now().toISOString();
    const webhookSecret = input.definition.trigger.type === 'webhook' ? newWebhookSecret() : undefined;
    const row: WorkflowRow = {
      id,
      name: input.name,
      version: 1,
      trigger_type: input.definition.trigger.type,
      incognito: input.incognito ? 1 : 0,
      enabled: 1,
      ...this.#sealedSecret(workspaceId, id, webhookSecret),
      created_by: meta.actor.id,
      created_at: at,
      updated_at: at,
    };
    insertWorkflow(db, row, { workflow_id: id, version: 1, definition: JSON.stringify(input.definition), created_by: meta.actor.id, created_at: at });
    hookRoutes.add(this.#deps.controlDb, id, workspaceId);
    this.#changed(workspaceId);
    await audit.record(auditEvent(meta, 'workflow.create', { type: 'workflow', id }, { name: input.name, version: 1, trigger: row.trigger_type, incognito: input.incognito }));
    return { workflow: { ...toWorkflow(row), definition: input.definition }, ...(webhookSecret ? { webhookSecret } : {}) };
  }

  /** A new definition is a new version; runs keep naming the version they ran. Switching to a webhook trigger makes its secret. */
  async update(workspaceId: string, workflowId: string, patch: UpdateWorkflow, meta: RequestMeta): Promise<SavedWorkflow> {
    if (patch.definition) checkGraph(patch.definition);
    const { db, audit } = this.#deps.workspace(workspaceId);
    const row = this.#row(db, workflowId);
    if (patch.name !== undefined && patch.name !== row.name && findWorkflowByName(db, patch.name)) throw new AppError(409, 'workflow_name_taken', 'a workflow with that name already exists');
    const at = this.#now().toISOString();
    const next: WorkflowRow = { ...row, updated_at: at };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.incognito !== undefined) next.incognito = patch.incognito ? 1 : 0;
    if (patch.enabled !== undefined) next.enabled = patch.enabled ? 1 : 0;
    let webhookSecret: string | undefined;
    if (patch.definition) {
      next.version = row.version + 1;
      next.trigger_type = patch.definition.trigger.type;
      if (next.trigger_type === 'webhook' && row.hook_ciphertext === null) {
        webhookSecret = newWebhookSecret();
        Object.assign(next, this.#sealedSecret(workspaceId, row.id, webhookSecret));
      }
    }
    const version = patch.definition ? { workflow_id: row.id, version: next.version, definition: JSON.stringify(patch.definition), created_by: meta.actor.id, created_at: at } : undefined;
    updateWorkflow(db, next, version);
    this.#changed(workspaceId);
    await audit.record(auditEvent(meta, 'workflow.update', { type: 'workflow', id: row.id }, { fields: Object.keys(patch), version: next.version }));
    return { workflow: { ...toWorkflow(next), definition: patch.definition ?? this.#definition(db, row.id, row.version) }, ...(webhookSecret ? { webhookSecret } : {}) };
  }

  /** WEB-07: a new signing secret, answered once; the old one stops verifying at once. */
  async rotateWebhookSecret(workspaceId: string, workflowId: string, meta: RequestMeta): Promise<{ webhookSecret: string }> {
    const { db, audit } = this.#deps.workspace(workspaceId);
    const row = this.#row(db, workflowId);
    if (row.trigger_type !== 'webhook') throw new AppError(409, 'not_a_webhook_workflow', 'the workflow is not triggered by a webhook');
    const webhookSecret = newWebhookSecret();
    updateWorkflow(db, { ...row, ...this.#sealedSecret(workspaceId, row.id, webhookSecret), updated_at: this.#now().toISOString() }, undefined);
    await audit.record(auditEvent(meta, 'workflow.webhook_secret.rotate', { type: 'workflow', id: row.id }));
    return { webhookSecret };
  }

  async delete(workspaceId: string, workflowId: string, meta: RequestMeta): Promise<void> {
    const { db, audit } = this.#deps.workspace(workspaceId);
    if (!deleteWorkflow(db, workflowId)) throw notFound();
    hookRoutes.remove(this.#deps.controlDb, workflowId);
    this.#changed(workspaceId);
    await audit.record(auditEvent(meta, 'workflow.delete', { type: 'workflow', id: workflowId }));
  }

  /** The webhook secret of a webhook-triggered, enabled workflow; undefined for anything else, so the caller answers 404. */
  webhookSecret(workspaceId: string, workflowId: string): string | undefined {
    const row = findWorkflow(this.#deps.workspace(workspaceId).db, workflowId);
    if (!row || row.trigger_type !== 'webhook' || row.enabled !== 1 || row.hook_ciphertext === null || row.hook_wrapped_key === null || row.hook_key_version === null) return undefined;
    return this.#deps.vault.openWorkflowSecret(workspaceId, row.id, { keyVersion: row.hook_key_version, wrappedKey: row.hook_wrapped_key, ciphertext: row.hook_ciphertext });
  }

  /** WEB-07: the workspace a webhook's workflow belongs to, from the control database's index. */
  workspaceOfHook(workflowId: string): string | undefined {
    return hookRoutes.workspaceOf(this.#deps.controlDb, workflowId);
  }

  #row(db: SqliteDatabase, workflowId: string): WorkflowRow {
    const row = findWorkflow(db, workflowId);
    if (!row) throw notFound();
    return row;
  }

  #definition(db: SqliteDatabase, workflowId: string, version: number): Definition {
    return definitionSchema.parse(JSON.parse(findVersion(db, workflowId, version)!.definition));
  }

  #sealedSecret(workspaceId: string, workflowId: string, secret: string | undefined) {
    if (secret === undefined) return { hook_key_version: null, hook_wrapped_key: null, hook_ciphertext: null };
    const sealed = this.#deps.vault.sealWorkflowSecret(workspaceId, workflowId, secret);
    return { hook_key_version: sealed.keyVersion, hook_wrapped_key: sealed.wrappedKey, hook_ciphertext: sealed.ciphertext };
  }

  #changed(workspaceId: string): void {
    for (const listener of this.#listeners) listener(workspaceId);
  }
}
