import { LRUCache } from 'lru-cache';
import { AuditLog } from '../audit/log.ts';
import { openEncryptedDatabase, type SqliteDatabase } from '../core/database.ts';
import { deriveWorkspaceKey } from '../core/keyring.ts';
import { auditCheckpointPath, workspaceDatabasePath, workspaceDir } from '../core/layout.ts';
import { migrate } from '../core/migrations.ts';
import { workspaceMigrations } from '../migrations/workspace.ts';

/** An open workspace: its encrypted database and its own audit chain. */
export interface WorkspaceHandle {
  id: string;
  db: SqliteDatabase;
  audit: AuditLog;
}

export interface WorkspaceDatabasesOptions {
  dataDir: string;
  /** Returns the workspace's unwrapped seed, or undefined when there is no such workspace. */
  seedOf(workspaceId: string): Buffer | undefined;
  /** CRY-03: the version of the workspace's database key (after `enclave rotate-keys`); 1 when not given. */
  dbKeyVersion?(workspaceId: string): number;
  cacheSize: number;
  auditCheckpointEvery?: number;
}

export class WorkspaceNotFoundError extends Error {
  override name = 'WorkspaceNotFoundError';
}

/**
 * Opens workspace databases with their own derived keys and keeps a bounded LRU of open
 * handles (each open database holds up to three file descriptors in WAL mode). The query
 * path gets separate read-only handles (ACC-04), so a write through it fails in SQLite.
 */
export class WorkspaceDatabases {
  readonly #options: WorkspaceDatabasesOptions;
  readonly #writable: LRUCache<string, WorkspaceHandle>;
  readonly #readOnly: LRUCache<string, SqliteDatabase>;

  constructor(options: WorkspaceDatabasesOptions) {
    this.#options = options;
    this.#writable = new LRUCache({
      max: options.cacheSize,
      dispose: (handle) => {
        handle.audit.close();
        handle.db.close();
      },
    });
    this.#readOnly = new LRUCache({ max: options.cacheSize, dispose: (db) => db.close() });
  }

  open(workspaceId: string): WorkspaceHandle {
    const cached = this.#writable.get(workspaceId);
    if (cached) return cached;
    const seed = this.#seed(workspaceId);
    const db = openEncryptedDatabase(workspaceDatabasePath(this.#options.dataDir, workspaceId), {
      key: this.#dbKey(seed, workspaceId),
    });
    migrate(db, 'workspace', workspaceMigrations);
    const audit = new AuditLog({
      db,
      scope: workspaceId,
      signingSeed: deriveWorkspaceKey(seed, workspaceId, 'audit-signing'),
      checkpointFile: auditCheckpointPath(workspaceDir(this.#options.dataDir, workspaceId)),
      ...(this.#options.auditCheckpointEvery ? { checkpointEvery: this.#options.auditCheckpointEvery } : {}),
    });
    const handle = { id: workspaceId, db, audit };
    this.#writable.set(workspaceId, handle);
    return handle;
  }

  openReadOnly(workspaceId: string): SqliteDatabase {
    const cached = this.#readOnly.get(workspaceId);
    if (cached) return cached;
    // The writable handle runs migrations and creates the WAL index the reader needs.
    this.open(workspaceId);
    const db = openEncryptedDatabase(workspaceDatabasePath(this.#options.dataDir, workspaceId), {
      key: this.#dbKey(this.#seed(workspaceId), workspaceId),
      readonly: true,
    });
    this.#readOnly.set(workspaceId, db);
    return db;
  }

  /**
   * DAT-01: a read-only connection of the caller's own, closed by the caller, for a long read
   * inside one transaction (an export reads every table from one snapshot). Not cached: the
   * shared read-only handle must not be held in someone else's transaction.
   */
  openReader(workspaceId: string): SqliteDatabase {
    this.open(workspaceId);
    return openEncryptedDatabase(workspaceDatabasePath(this.#options.dataDir, workspaceId), {
      key: this.#dbKey(this.#seed(workspaceId), workspaceId),
      readonly: true,
    });
  }

  /**
   * ACC-04: the current key of the workspace's database, for a reader in another process
   * (the MCP SQL runner). Opening the writable handle first runs migrations and creates the
   * WAL index a read-only connection needs.
   */
  databaseKey(workspaceId: string): Buffer {
    this.open(workspaceId);
    return this.#dbKey(this.#seed(workspaceId), workspaceId);
  }

  /** Writes queued audit events and signs checkpoints of every open workspace. */
  checkpointAll(): void {
    for (const handle of this.#writable.values()) handle.audit.checkpoint();
  }

  /** Closes the workspace's handles (flushing and checkpointing its audit log first); the next open starts afresh. */
  evict(workspaceId: string): void {
    this.#readOnly.delete(workspaceId);
    this.#writable.delete(workspaceId);
  }

  close(): void {
    this.#readOnly.clear();
    this.#writable.clear();
  }

  #dbKey(seed: Buffer, workspaceId: string): Buffer {
    return deriveWorkspaceKey(seed, workspaceId, 'db', this.#options.dbKeyVersion?.(workspaceId) ?? 1);
  }

  #seed(workspaceId: string): Buffer {
    const seed = this.#options.seedOf(workspaceId);
    if (!seed) throw new WorkspaceNotFoundError('no such workspace');
    return seed;
  }
}
