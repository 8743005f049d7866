import Witness from '@signalapp/sqlcipher';

/**
 * Opens a database file with upstream SQLCipher 4 (a different implementation from the
 * one Enclave uses), given only the raw key: what an operator's recovery tool would do.
 */
export function readWithSqlcipher<T = unknown>(path: string, keyHex: string, sql: string): T[] {
  const db = new Witness(path);
  try {
    db.exec(`PRAGMA key = "x'${keyHex}'"`);
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
