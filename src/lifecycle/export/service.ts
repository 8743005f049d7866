import { Readable } from 'node:stream';
import type { RequestMeta, UserMeta } from '../../access/actor.ts';
import { auditEvent } from '../../access/audit-event.ts';
import type { AuditLog } from '../../audit/log.ts';
import type { SqliteDatabase } from '../../core/database.ts';
import { AppError } from '../../core/errors.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { WorkspaceDatabases } from '../../workspaces/databases.ts';
import { ArchiveAbortedError, ArchiveWriter } from './archive.ts';
import { FORMAT_VERSION, type ArchiveKind, type ExportManifest, type ManifestFile } from './format.ts';
import { ExportLimiter } from './limits.ts';
import { writePersonalArchive, type PersonalSources } from './personal-archive.ts';
import { writeWorkspaceArchive, type WorkspaceSources } from './workspace-archive.ts';

export interface ExportServiceDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  databases: Pick<WorkspaceDatabases, 'open' | 'openReader'>;
  identity: Pick<IdentityService, 'user'>;
  workspace: WorkspaceSources;
  personal: PersonalSources;
  now?: () => Date;
}

export interface ExportOptions {
  /** Called as each file is complete, for progress output. */
  progress?: (file: ManifestFile) => void;
}

export interface ExportResult {
  manifest: ExportManifest;
  /** Bytes of every file in the archive, manifest.json included (tar headers and padding aside). */
  bytes: number;
}

/** An export under way: read `archive` to the end, and `finished` settles once the archive is complete and audited. */
export interface StartedExport {
  archive: Readable;
  filename: string;
  finished: Promise<ExportResult>;
}

/**
 * DAT-01: downloads of everything held in a workspace or about a person, as a streamed tar
 * archive (format.ts). Exports over HTTP are limited (limits.ts); the operator's CLI is not,
 * since an operator holds the data directory anyway, but every export, theirs included, is
 * an audit event naming the bytes and the files.
 */
export class ExportService {
  readonly #deps: ExportServiceDeps;
  readonly #limiter: ExportLimiter;
  readonly #now: () => Date;

  constructor(deps: ExportServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#limiter = new ExportLimiter(deps.controlDb, this.#now);
  }

  /** The workspace's whole content; the route allows owners only (workspace:export). */
  exportWorkspace(workspaceId: string, meta: RequestMeta, options: ExportOptions = {}): StartedExport {
    const workspace = this.#deps.workspace.workspaces.get(workspaceId);
    if (meta.actor.type !== 'operator') this.#limiter.take({ kind: 'workspace', requester: requester(meta), workspaceId });
    const createdAt = this.#now();
    return this.#start('workspace', createdAt, options, `enclave-workspace-${workspaceId}-${stamp(createdAt)}.tar`, {
      subject: { workspaceId, name: workspace.name },
      write: async (writer) => {
        const handle = this.#deps.databases.open(workspaceId);
        // Events recorded up to now are in the log before the snapshot begins.
        handle.audit.flush();
        const snapshot = this.#deps.databases.openReader(workspaceId);
        try {
          snapshot.exec('BEGIN');
          // A deferred transaction takes its snapshot at the first read.
          snapshot.prepare('SELECT count(*) FROM sqlite_schema').get();
          await writeWorkspaceArchive(writer, this.#deps.workspace, workspaceId, snapshot, handle);
        } finally {
          snapshot.close();
        }
      },
      // Opened again rather than kept: a long export may outlive the handle in the bounded cache.
      audit: (event) => this.#deps.databases.open(workspaceId).audit.record(auditEvent(meta, 'workspace.export', { type: 'workspace', id: workspaceId }, event.details, event.outcome)),
    });
  }

  /** Everything held about the signed-in person. */
  exportPerson(meta: UserMeta, options: ExportOptions = {}): StartedExport {
    const user = this.#deps.identity.user(meta.actor.id);
    if (!user) throw new AppError(401, 'unauthenticated', 'sign in first');
    this.#limiter.take({ kind: 'personal', requester: requester(meta) });
    const createdAt = this.#now();
    return this.#start('personal', createdAt, options, `enclave-personal-${user.id}-${stamp(createdAt)}.tar`, {
      subject: { userId: user.id, email: user.email },
      write: async (writer) => {
        this.#deps.controlAudit.flush();
        await writePersonalArchive(writer, this.#deps.personal, user, meta.actor, this.#deps.controlDb);
      },
      audit: (event) => this.#deps.controlAudit.record(auditEvent(meta, 'user.export', { type: 'user', id: user.id }, event.details, event.outcome)),
    });
  }

  #start(
    kind: ArchiveKind,
    createdAt: Date,
    options: ExportOptions,
    filename: string,
    plan: {
      subject: ExportManifest['subject'];
      write: (writer: ArchiveWriter) => Promise<void>;
      audit: (event: { details: Record<string, unknown>; outcome: 'success' | 'failure' }) => Promise<unknown>;
    },
  ): StartedExport {
    const writer = new ArchiveWriter(createdAt, options.progress);
    const finished = (async (): Promise<ExportResult> => {
      try {
        await plan.write(writer);
        const manifest = await writer.finish(kind, plan.subject, createdAt);
        const result = { manifest, bytes: writer.bytes };
        await plan.audit({ details: { formatVersion: FORMAT_VERSION, bytes: result.bytes, files: [...fileList(writer), 'manifest.json'] }, outcome: 'success' });
        return result;
      } catch (error) {
        const reason = error instanceof ArchiveAbortedError ? 'aborted' : 'failed';
        writer.pack.destroy(error instanceof Error ? error : new Error(reason));
        await plan.audit({ details: { formatVersion: FORMAT_VERSION, bytes: writer.bytes, files: fileList(writer), reason }, outcome: 'failure' });
        throw error;
      }
    })();
    // A Node stream for Fastify and the CLI; destroying it (a client that left) destroys the pack, which stops the writer.
    return { archive: Readable.from(writer.pack, { objectMode: false }), filename, finished };
  }
}

/** Whose hourly count an export is in: a person's workspace and personal exports share one. */
function requester(meta: RequestMeta): string {
  return `${meta.actor.type}:${meta.actor.id}`;
}

function fileList(writer: ArchiveWriter): string[] {
  return writer.files.map((file) => file.path);
}

/** A UTC time for a file name: 20261123T221500Z. */
function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
