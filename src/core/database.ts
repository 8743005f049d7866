import Database from 'better-sqlite3-multiple-ciphers';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
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
    db.pragma(`cipher='sqlcipher'`);
    // legacy=4 is SQLCipher 4's format; the library default leaves header bytes in plaintext.
    db.pragma('legacy=4');
    db.pragma(`key="x'${options.key.toString('hex')}'"`);
    db.prepare('SELECT count(*) FROM sqlite_master').get();
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
