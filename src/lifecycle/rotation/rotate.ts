import { existsSync } from 'node:fs';
import type { RequestMeta } from '../../access/actor.ts';
import { auditEvent } from '../../access/audit-event.ts';
import { AuditLog } from '../../audit/log.ts';
import type { EnclaveConfig } from '../../core/config.ts';
import { openEncryptedDatabase, statement, type SqliteDatabase } from '../../core/database.ts';
import { Keyring, KeyringError } from '../../core/keyring.ts';
import { auditCheckpointPath, controlDatabasePath, controlDir, ensureLayout } from '../../core/layout.ts';
import { migrate } from '../../core/migrations.ts';
import { controlMigrations } from '../../migrations/control.ts';
import { resolveMasterKey } from '../../platform/master-key.ts';
import { WorkspaceDatabases } from '../../workspaces/databases.ts';
import { workspaceKeyVersion } from '../../workspaces/key-versions.ts';
import { readJournal, removeJournal, writeJournal, type RotationJournal } from './journal.ts';
import { markerDir, processesWithDataDirOpen } from './lock.ts';
import { rotateMasterKey } from './master.ts';
import type { Progress } from './progress.ts';
import { rotateWorkspace, type WorkspaceRotated } from './workspace.ts';

export interface RotationOptions {
  config: EnclaveConfig;
  meta: RequestMeta;
  /** Rotate the master key too (needs the key file; a key from ENCLAVE_MASTER_KEY is rotated by its owner). */
  master: boolean;
  progress(line: string): void;
  /**
   * Test-only (refused in production mode): after printing the first progress line that
   * contains this text, stop there without exiting, so a test can SIGKILL the run at a
   * known step and prove the next run finishes it.
   */
  pauseAt?: string;
}

export interface RotationSummary {
  resumed: boolean;
  startedAt: string;
  masterKey: { from: number; to: number } | null;
  workspaces: WorkspaceRotated[];
  skipped: string[];
}

function openControl(config: EnclaveConfig): { keyring: Keyring; db: SqliteDatabase } {
  const keyring = new Keyring(resolveMasterKey(config, { createInDevelopment: false }));
  const db = openEncryptedDatabase(controlDatabasePath(config.dataDir), { key: keyring.controlDatabaseKey() });
  migrate(db, 'control', controlMigrations);
  return { keyring, db };
}

/** Fixes the targets: every workspace that still has a seed (deleted ones too: they can be restored) gets its next versions. */
function plan(config: EnclaveConfig, master: boolean): RotationJournal {
  if (master && config.masterKey) {
    throw new KeyringError('the master key comes from ENCLAVE_MASTER_KEY: rotate it where it is kept, or run with --workspaces-only');
  }
  if (!existsSync(controlDatabasePath(config.dataDir))) throw new KeyringError(`no Enclave data in ${config.dataDir}: nothing to rotate`);
  const { keyring, db } = openControl(config);
  try {
    const ids = (statement(db, 'SELECT id FROM workspace WHERE length(seed_wrapped) > 0 AND shredded_at IS NULL ORDER BY created_at, id').all() as { id: string }[]).map(
      (row) => row.id,
    );
    return {
      format: 'enclave-key-rotation',
      startedAt: new Date().toISOString(),
      phase: master ? 'master' : 'workspaces',
      master: master ? { from: keyring.masterKeyVersion, to: keyring.masterKeyVersion + 1 } : null,
      workspaces: ids.map((id) => ({ id, db: workspaceKeyVersion(db, id, 'db') + 1, vault: workspaceKeyVersion(db, id, 'vault') + 1 })),
      done: [],
    };
  } finally {
    db.close();
  }
}

function pausing(options: RotationOptions): Progress {
  let paused = false;
  return async (line) => {
    options.progress(line);
    if (options.pauseAt === undefined || paused || !line.includes(options.pauseAt)) return;
    paused = true;
    // Holds the event loop open until the test kills the process.
    await new Promise(() => setInterval(() => {}, 60_000));
  };
}

/**
 * CRY-03: `enclave rotate-keys`. Offline: it refuses while any process has the data dir
 * open, and while its journal exists nothing else opens it (see lock.ts). Resumable: the
 * journal fixes the targets, every step is repeatable, and a run that finds a journal
 * finishes that rotation (the `master` choice of the first run stands).
 */
export async function rotateKeys(options: RotationOptions): Promise<RotationSummary> {
  const { config } = options;
  const dataDir = config.dataDir;
  ensureLayout(dataDir);
  const existing = readJournal(dataDir);
  const journal = existing ?? plan(config, options.master);
  if (!existing) writeJournal(dataDir, journal);
  const busy = processesWithDataDirOpen(dataDir);
  if (busy.length > 0) {
    if (!existing) removeJournal(dataDir);
    throw new KeyringError(
      `Enclave has this data dir open (pid ${busy.join(', ')}): stop the server first; key rotation runs offline (if no such process is Enclave, remove its file in ${markerDir(dataDir)})`,
    );
  }
  const progress = pausing(options);
  if (existing) options.progress(`resuming the key rotation started at ${journal.startedAt}`);

  if (journal.phase === 'master' && journal.master) {
    await rotateMasterKey(dataDir, journal.master, progress);
    journal.phase = 'workspaces';
    writeJournal(dataDir, journal);
  }

  const { keyring, db: controlDb } = openControl(config);
  const seedOf = (id: string): Buffer | undefined => {
    const row = statement(controlDb, 'SELECT seed_wrapped FROM workspace WHERE id = ? AND shredded_at IS NULL').get(id) as { seed_wrapped: Buffer } | undefined;
    return row && row.seed_wrapped.length > 0 ? keyring.unwrapSeed(id, row.seed_wrapped) : undefined;
  };
  const databases = new WorkspaceDatabases({ dataDir, seedOf, dbKeyVersion: (id) => workspaceKeyVersion(controlDb, id, 'db'), cacheSize: 2 });
  const controlAudit = new AuditLog({ db: controlDb, scope: 'control', signingSeed: keyring.controlKey('audit-signing'), checkpointFile: auditCheckpointPath(controlDir(dataDir)) });
  const rotated: WorkspaceRotated[] = [];
  const skipped: string[] = [];
  try {
    const total = journal.workspaces.length;
    for (const [index, target] of journal.workspaces.entries()) {
      if (journal.done.includes(target.id)) continue;
      const seed = seedOf(target.id);
      if (seed) rotated.push(await rotateWorkspace({ dataDir, controlDb, databases, meta: options.meta, progress }, target, seed, `workspace ${index + 1}/${total} ${target.id}`));
      // Shredded while the rotation was interrupted: nothing of it is left to rotate.
      else skipped.push(target.id);
      journal.done.push(target.id);
      writeJournal(dataDir, journal);
    }
    await controlAudit.record(
      auditEvent(options.meta, 'keys.rotate', { type: 'master_key', id: `v${keyring.masterKeyVersion}` }, {
        masterKeyVersion: keyring.masterKeyVersion,
        masterRotated: journal.master !== null,
        workspaces: journal.workspaces.length,
        resumed: Boolean(existing),
      }),
    );
  } finally {
    databases.close();
    controlAudit.close();
    controlDb.close();
  }
  removeJournal(dataDir);
  options.progress('key rotation complete');
  return { resumed: Boolean(existing), startedAt: journal.startedAt, masterKey: journal.master, workspaces: rotated, skipped };
}
