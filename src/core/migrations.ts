import type { SqliteDatabase } from './database.ts';

/** One forward-only step. Never edit or remove a released migration; append a new one. */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Brings a database up to date. The schema version lives in SQLite's user_version;
 * a file written by a newer Enclave (higher version than we know) is refused rather
 * than silently used with a schema we do not understand.
 */
export function migrate(db: SqliteDatabase, kind: string, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new MigrationError(
      `the ${kind} database is at schema version ${current}, newer than this Enclave knows (${migrations.length}); upgrade Enclave`,
    );
  }
  // Opening an up-to-date database is the common case: no write lock for it.
  if (current === migrations.length) return current;
  const apply = db.transaction(() => {
    for (let version = current; version < migrations.length; version++) {
      db.exec(migrations[version]!.sql);
      db.pragma(`user_version = ${version + 1}`);
    }
  });
  apply.immediate();
  return migrations.length;
}
