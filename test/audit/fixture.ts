import { randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AuditLog, type AuditLogOptions } from '../../src/audit/log.ts';
import { auditTables } from '../../src/audit/migrations.ts';
import { auditSigningKeys } from '../../src/audit/signing.ts';
import { verifyAuditChain, type AuditVerification } from '../../src/audit/verify.ts';
import { openEncryptedDatabase, type SqliteDatabase } from '../../src/core/database.ts';
import { migrate } from '../../src/core/migrations.ts';
import { sampleEvent } from './sample-events.ts';

export const SCOPE = 'ws_alpha';

/** One workspace's audit log on disk: an encrypted database and its checkpoint file. */
export class AuditFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'enclave-audit-'));
  readonly dbPath = join(this.dir, 'workspace.db');
  readonly checkpointFile = join(this.dir, 'audit-checkpoints.jsonl');
  readonly key = randomBytes(32);
  readonly signingSeed = randomBytes(32);
  readonly publicKey: KeyObject = auditSigningKeys(this.signingSeed).publicKey;
  readonly #open: SqliteDatabase[] = [];

  /** A fresh connection, as a second process would have. */
  open(): SqliteDatabase {
    const db = openEncryptedDatabase(this.dbPath, { key: this.key });
    migrate(db, 'workspace', [auditTables]);
    this.#open.push(db);
    return db;
  }

  log(options: Partial<AuditLogOptions> = {}): AuditLog {
    return new AuditLog({
      db: this.open(),
      scope: SCOPE,
      signingSeed: this.signingSeed,
      checkpointFile: this.checkpointFile,
      ...options,
    });
  }

  /** Writes `count` events through a log that checkpoints every 10, then closes it (final checkpoint). */
  async writeEvents(count: number): Promise<void> {
    const log = this.log({ checkpointEvery: 10 });
    // One event per tick, so checkpoints land at 10, 20, … rather than once per batch.
    for (let n = 1; n <= count; n++) await log.record(sampleEvent('usr_ana', n));
    log.close();
  }

  verify(options: { scope?: string; publicKey?: KeyObject } = {}): AuditVerification {
    return verifyAuditChain({
      db: this.open(),
      scope: options.scope ?? SCOPE,
      publicKey: options.publicKey ?? this.publicKey,
      checkpointFile: this.checkpointFile,
    });
  }

  /**
   * What an attacker holding the database key does: open the file, drop the
   * append-only triggers, ignore CHECK constraints and write SQL directly.
   */
  tamper(sql: string, ...params: unknown[]): void {
    const db = openEncryptedDatabase(this.dbPath, { key: this.key });
    try {
      db.pragma('ignore_check_constraints = ON');
      const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[];
      for (const name of triggers) db.exec(`DROP TRIGGER "${name}"`);
      db.prepare(sql).run(...params);
    } finally {
      db.close();
    }
  }

  /** The checkpoint file's lines, parsed. */
  fileLines(): Record<string, unknown>[] {
    return readFileSync(this.checkpointFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
  }

  /** Rewrites the checkpoint file with only the lines `keep` accepts, as an attacker editing the witness would. */
  rewriteFile(keep: (line: Record<string, unknown>) => boolean): void {
    const lines = readFileSync(this.checkpointFile, 'utf8').trimEnd().split('\n');
    writeFileSync(this.checkpointFile, `${lines.filter((line) => keep(JSON.parse(line))).join('\n')}\n`);
  }

  /**
   * Appends `count` events from a worker thread with its own connection, as a second
   * process would; resolves when the thread has closed its log and exited.
   */
  appendFromAnotherThread(count: number, checkpointEvery: number): Promise<void> {
    const worker = new Worker(new URL('./append-worker.ts', import.meta.url), {
      workerData: {
        dbPath: this.dbPath,
        key: this.key,
        signingSeed: this.signingSeed,
        checkpointFile: this.checkpointFile,
        scope: SCOPE,
        count,
        checkpointEvery,
      },
    });
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the writer thread exited with ${code}`))));
    });
  }

  cleanup(): void {
    for (const db of this.#open) if (db.open) db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
