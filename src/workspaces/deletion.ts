import { rmSync } from 'node:fs';
import type { RequestMeta, UserMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { workspaceDir } from '../core/layout.ts';
import type { WorkspaceDatabases } from './databases.ts';
import { findDeletedWorkspace, findWorkspace, listDeletedWorkspaces, markWorkspaceDeleted, restoreWorkspace, shredWorkspaceSeed, workspacesDeletedBefore } from './store.ts';

export interface DeletedWorkspace {
  id: string;
  name: string;
  deletedAt: string;
  /** When the sweeper destroys it for good. */
  shredAfter: string;
}

export interface WorkspaceDeletionDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  databases: WorkspaceDatabases;
  dataDir: string;
  /** Whether the person is an owner of the workspace, deleted or not. */
  isOwner(workspaceId: string, userId: string): boolean;
  /** Proves the person is still at the keyboard: their current password (see MfaService.reauthenticate). */
  reauthenticate(meta: UserMeta, password: string): Promise<void>;
  retentionDays(): number;
  now?: () => Date;
}

const DAY = 86_400_000;

/**
 * DAT-02: an owner deletes a workspace, which is inaccessible from that moment and
 * restorable for the retention period; then the sweeper destroys its key seed and files
 * (CRY-04), after which nothing of it can be decrypted from this server's keys.
 */
export class WorkspaceDeletion {
  readonly #deps: WorkspaceDeletionDeps;
  readonly #now: () => Date;

  constructor(deps: WorkspaceDeletionDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * A person confirms with the name and their current password, so a session left open is
   * not enough. An owner API key confirms with the name only: the key itself is presented
   * on every request, which is what re-authentication asks of a person.
   */
  async delete(workspaceId: string, confirmation: { name: string; password: string | undefined }, meta: RequestMeta): Promise<DeletedWorkspace> {
    const row = findWorkspace(this.#deps.controlDb, workspaceId);
    if (!row) throw new AppError(404, 'workspace_not_found', 'no such workspace');
    if (confirmation.name !== row.name) throw new AppError(400, 'confirmation_mismatch', 'type the workspace name exactly as it is shown to confirm');
    if (meta.actor.type === 'user') {
      if (confirmation.password === undefined) throw new AppError(400, 'password_required', 'enter your current password to delete the workspace');
      await this.#deps.reauthenticate({ ...meta, actor: meta.actor }, confirmation.password);
    }
    return this.#markDeleted(workspaceId, row.name, meta);
  }

  /**
   * DAT-03: a workspace whose only member closes their account goes the same way. The
   * closure has already confirmed it (the person's password and address), so it is not
   * asked again here.
   */
  async deleteWithClosedAccount(workspaceId: string, meta: UserMeta): Promise<DeletedWorkspace> {
    const row = findWorkspace(this.#deps.controlDb, workspaceId);
    if (!row) throw new AppError(404, 'workspace_not_found', 'no such workspace');
    return this.#markDeleted(workspaceId, row.name, meta, { reason: 'account_closed' });
  }

  async #markDeleted(workspaceId: string, name: string, meta: RequestMeta, details: Record<string, unknown> = {}): Promise<DeletedWorkspace> {
    const { controlDb, controlAudit, databases } = this.#deps;
    const at = this.#now().toISOString();
    // Recorded in the workspace's own log while it can still be written, and in the control log.
    const target = { type: 'workspace', id: workspaceId };
    await databases.open(workspaceId).audit.record(auditEvent(meta, 'workspace.delete', target, details));
    if (!markWorkspaceDeleted(controlDb, workspaceId, at)) throw new AppError(404, 'workspace_not_found', 'no such workspace');
    databases.evict(workspaceId);
    await controlAudit.record(auditEvent(meta, 'workspace.delete', target, { ...details, shredAfter: this.#shredAfter(at) }));
    return { id: workspaceId, name, deletedAt: at, shredAfter: this.#shredAfter(at) };
  }

  deletedFor(userId: string): DeletedWorkspace[] {
    return listDeletedWorkspaces(this.#deps.controlDb, userId).map((row) => ({ id: row.id, name: row.name, deletedAt: row.deleted_at!, shredAfter: this.#shredAfter(row.deleted_at!) }));
  }

  async restore(workspaceId: string, meta: UserMeta): Promise<void> {
    const { controlDb, controlAudit, databases } = this.#deps;
    const row = findDeletedWorkspace(controlDb, workspaceId);
    // Only its owners learn that a deleted workspace exists.
    if (!row || !this.#deps.isOwner(workspaceId, meta.actor.id)) throw new AppError(404, 'workspace_not_found', 'no deleted workspace with that id');
    if (row.shredded_at !== null || !restoreWorkspace(controlDb, workspaceId)) {
      throw new AppError(410, 'workspace_shredded', 'this workspace was destroyed after its retention period and cannot be restored');
    }
    const target = { type: 'workspace', id: workspaceId };
    await controlAudit.record(auditEvent(meta, 'workspace.restore', target));
    await databases.open(workspaceId).audit.record(auditEvent(meta, 'workspace.restore', target));
  }

  /** The sweeper's part: destroys every workspace deleted longer ago than the retention period. Returns their ids. */
  async shredExpired(now: Date): Promise<string[]> {
    const { controlDb, controlAudit, databases, dataDir } = this.#deps;
    const cutoff = new Date(now.getTime() - this.#deps.retentionDays() * DAY).toISOString();
    const shredded: string[] = [];
    for (const row of workspacesDeletedBefore(controlDb, cutoff)) {
      databases.evict(row.id);
      shredWorkspaceSeed(controlDb, row.id, now.toISOString());
      rmSync(workspaceDir(dataDir, row.id), { recursive: true, force: true });
      await controlAudit.record(auditEvent({ actor: { type: 'system', id: 'retention' } }, 'workspace.shred', { type: 'workspace', id: row.id }, { deletedAt: row.deleted_at }));
      shredded.push(row.id);
    }
    return shredded;
  }

  #shredAfter(deletedAt: string): string {
    return new Date(Date.parse(deletedAt) + this.#deps.retentionDays() * DAY).toISOString();
  }
}
