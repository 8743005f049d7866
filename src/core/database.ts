import Database from 'better-sqlite3-multiple-ciphers';
import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/** Thrown when a database file cannot be opened with the key given (wrong key, not a database, corrupt). */
export class DatabaseKeyError extends Error {
  readonly path: string;
  constructor(path: string) {
    super('the database could not be decrypted with the key provided');
    this.name = 'DatabaseKeyError';
    this.path = path;
  }
}

export interface OpenOptions {
  /** Raw 32-byte key. A raw key skips SQLCipher's PBKDF2 (≈113 ms per open). */
  key: Buffer;
  readonly?: boolean;
  /** Pages of cache; negative values are KiB, as in SQLite. */
  cacheSize?: number;
}

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** The cipher settings, in one place; throws if the key does not open the file. */
function applyKey(db: SqliteDatabase, key: Buffer): void {
  db.pragma(`cipher='sqlcipher'`);
  // legacy=4 is SQLCipher 4's format; the library default leaves header bytes in plaintext.
  db.pragma('legacy=4');
  db.pragma(`key="x'${key.toString('hex')}'"`);
  db.prepare('SELECT count(*) FROM sqlite_master').get();
}

/** Whether the key opens the file (for a resumed key rotation, which must tell old from new). */
export function opensWithKey(path: string, key: Buffer): boolean {
  try {
    openEncryptedDatabase(path, { key, readonly: true }).close();
    return true;
  } catch (error) {
    if (error instanceof DatabaseKeyError) return false;
    throw error;
  }
}

/**
 * CRY-03: re-encrypts a database file under a new key, crash-safely. `PRAGMA rekey` runs
 * on a private copy in rollback-journal mode (SQLite3 Multiple Ciphers only keeps the old
 * salt when rekeying in WAL mode), and the copy then replaces the file with one rename:
 * a process killed at any point leaves either the old file (still opening with the old
 * key; the stale copy is redone) or the new one. Nobody else may have the file open.
 */
export function rekeyEncryptedDatabase(path: string, from: Buffer, to: Buffer): void {
  if (from.length !== 32 || to.length !== 32) throw new Error('database keys are 32 bytes');
  // Folds the WAL into the file, so the file alone is the whole database.
  const current = openEncryptedDatabase(path, { key: from });
  current.pragma('wal_checkpoint(TRUNCATE)');
  current.close();
  const staging = `${path}.rekey`;
  rmSync(staging, { force: true });
  rmSync(`${staging}-journal`, { force: true });
  copyFileSync(path, staging);
  chmodSync(staging, FILE_MODE);
  const copy = new Database(staging, { fileMustExist: true });
  try {
    applyKey(copy, from);
    copy.pragma('journal_mode = DELETE');
    copy.pragma(`rekey="x'${to.toString('hex')}'"`);
    copy.pragma('journal_mode = WAL');
  } finally {
    copy.close();
  }
  const fd = openSync(staging, 'r');
  fsyncSync(fd);
  closeSync(fd);
  if (!opensWithKey(staging, to)) throw new DatabaseKeyError(staging);
  // The old file's WAL is empty after the checkpoint; it must not be replayed over the new file.
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
  renameSync(staging, path);
  const dir = openSync(dirname(path), 'r');
  fsyncSync(dir);
  closeSync(dir);
}

/**
 * Opens (creating if needed) a SQLCipher-4-compatible encrypted database.
 * This is the only place in Enclave that applies cipher settings, so every file
 * on disk shares one format that upstream SQLCipher can read with the same key.
 */
export function openEncryptedDatabase(path: string, options: OpenOptions): SqliteDatabase {
  if (options.key.length !== 32) throw new Error('database keys are 32 bytes');
  const creating = !existsSync(path);
  if (creating) {
    if (options.readonly) throw new DatabaseKeyError(path);
    mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
  }
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: !creating });
  try {
    applyKey(db, options.key);
  } catch {
    db.close();
    throw new DatabaseKeyError(path);
  }
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    if (creating) chmodSync(path, FILE_MODE);
  } else {
    db.pragma('query_only = ON');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  if (options.cacheSize !== undefined) db.pragma(`cache_size = ${Math.trunc(options.cacheSize)}`);
  return db;
}

const statements = new WeakMap<SqliteDatabase, Map<string, Database.Statement>>();

/**
 * A prepared statement, compiled once per connection. better-sqlite3 compiles on every
 * prepare() call, which on a hot route costs more than running the query itself.
 */
export function statement<Params extends unknown[] = unknown[], Row = unknown>(db: SqliteDatabase, sql: string): Database.Statement<Params, Row> {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let prepared = cache.get(sql);
  if (!prepared) {
    prepared = db.prepare(sql);
    cache.set(sql, prepared);
  }
  return prepared as Database.Statement<Params, Row>;
}
