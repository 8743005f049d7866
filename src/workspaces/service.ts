import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditEvent } from '../audit/event.ts';
import type { AuditLog } from '../audit/log.ts';
import { auditSigningKeys } from '../audit/signing.ts';
import { eventFacets, listEvents, type EventFacets, type EventPage } from '../audit/store.ts';
import { verifyAuditChain, type AuditVerification } from '../audit/verify.ts';
import { auditCheckpointPath, workspaceDir } from '../core/layout.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { deriveWorkspaceKey, type KeyPurpose, type Keyring } from '../core/keyring.ts';
import type { WorkspaceDatabases } from './databases.ts';
import { readProfile, writeProfile } from './profile-store.ts';
import type { Profile, ProfileUpdate, Workspace } from './schema.ts';
import { findWorkspace, insertWorkspace, listWorkspaces, type WorkspaceRow } from './store.ts';
import { workspaceKeyVersion } from './key-versions.ts';

function toWorkspace(row: WorkspaceRow): Workspace {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

export interface WorkspaceServiceDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  keyring: Keyring;
  databases: () => WorkspaceDatabases;
  dataDir: string;
  now?: () => Date;
}

export class WorkspaceService {
  readonly #deps: WorkspaceServiceDeps;
  readonly #now: () => Date;

  constructor(deps: WorkspaceServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Creates the workspace's key seed, its row and its encrypted database. */
  async create(name: string, meta: RequestMeta): Promise<Workspace> {
    const id = newId('ws');
    const createdAt = this.#now().toISOString();
    const seed = this.#deps.keyring.newSeed();
    insertWorkspace(this.#deps.controlDb, {
      id,
      name,
      seed_wrapped: this.#deps.keyring.wrapSeed(id, seed),
      created_at: createdAt,
    });
    const handle = this.#deps.databases().open(id);
    writeProfile(handle.db, { display_name: name, description: '', updated_at: createdAt });
    const target = { type: 'workspace', id };
    await Promise.all([
      this.#deps.controlAudit.record(auditEvent(meta, 'workspace.create', target)),
      handle.audit.record(auditEvent(meta, 'workspace.create', target)),
    ]);
    return { id, name, createdAt };
  }

  list(): Workspace[] {
    return listWorkspaces(this.#deps.controlDb).map(toWorkspace);
  }

  exists(workspaceId: string): boolean {
    return findWorkspace(this.#deps.controlDb, workspaceId) !== undefined;
  }

  get(workspaceId: string): Workspace {
    const row = findWorkspace(this.#deps.controlDb, workspaceId);
    if (!row) throw new AppError(404, 'workspace_not_found', 'no such workspace');
    return toWorkspace(row);
  }

  seedOf(workspaceId: string): Buffer | undefined {
    const row = findWorkspace(this.#deps.controlDb, workspaceId);
    return row ? this.#deps.keyring.unwrapSeed(workspaceId, row.seed_wrapped) : undefined;
  }

  /** Break-glass disclosure of a derived key; recorded in both the workspace's and the control audit log. */
  async revealKey(workspaceId: string, purpose: KeyPurpose, meta: RequestMeta): Promise<Buffer> {
    const seed = this.seedOf(workspaceId);
    if (!seed) throw new AppError(404, 'workspace_not_found', 'no such workspace');
    const target = { type: 'workspace', id: workspaceId };
    const details = { purpose };
    await Promise.all([
      this.#deps.controlAudit.record(auditEvent(meta, 'workspace.key.reveal', target, details)),
      this.#deps.databases().open(workspaceId).audit.record(auditEvent(meta, 'workspace.key.reveal', target, details)),
    ]);
    return deriveWorkspaceKey(seed, workspaceId, purpose, workspaceKeyVersion(this.#deps.controlDb, workspaceId, purpose));
  }

  profile(workspaceId: string): Profile {
    const row = readProfile(this.#deps.databases().open(workspaceId).db);
    if (!row) throw new AppError(404, 'workspace_not_found', 'no such workspace');
    return { workspaceId, displayName: row.display_name, description: row.description, updatedAt: row.updated_at };
  }

  async updateProfile(workspaceId: string, patch: ProfileUpdate, meta: RequestMeta): Promise<Profile> {
    const handle = this.#deps.databases().open(workspaceId);
    const current = this.profile(workspaceId);
    const next = {
      display_name: patch.displayName ?? current.displayName,
      description: patch.description ?? current.description,
      updated_at: this.#now().toISOString(),
    };
    writeProfile(handle.db, next);
    // Which fields changed, not their values: the audit log must not become a copy of the data.
    await handle.audit.record(
      auditEvent(meta, 'workspace.profile.update', { type: 'workspace', id: workspaceId }, {
        fields: Object.keys(patch).filter((key) => patch[key as keyof ProfileUpdate] !== undefined),
      }),
    );
    return { workspaceId, displayName: next.display_name, description: next.description, updatedAt: next.updated_at };
  }

  auditEvents(workspaceId: string, page: EventPage): AuditEvent[] {
    const handle = this.#deps.databases().open(workspaceId);
    handle.audit.flush();
    return listEvents(handle.db, page);
  }

  auditFacets(workspaceId: string): EventFacets {
    const handle = this.#deps.databases().open(workspaceId);
    handle.audit.flush();
    return eventFacets(handle.db);
  }

  /** Checks the workspace's audit chain against its signed checkpoints (LOG-02). */
  verifyAudit(workspaceId: string): AuditVerification {
    const seed = this.seedOf(workspaceId);
    if (!seed) throw new AppError(404, 'workspace_not_found', 'no such workspace');
    const handle = this.#deps.databases().open(workspaceId);
    handle.audit.flush();
    return verifyAuditChain({
      db: handle.db,
      scope: workspaceId,
      publicKey: auditSigningKeys(deriveWorkspaceKey(seed, workspaceId, 'audit-signing')).publicKey,
      checkpointFile: auditCheckpointPath(workspaceDir(this.#deps.dataDir, workspaceId)),
    });
  }
}
