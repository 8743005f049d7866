import { statement, type SqliteDatabase } from '../core/database.ts';

/** A row of better-auth's user table; booleans are 0/1 and dates ISO-8601 text in SQLite. */
export interface UserRow {
  id: string;
  email: string;
  name: string;
  emailVerified: number;
  createdAt: string;
}

const COLUMNS = '"id", "email", "name", "emailVerified", "createdAt"';

export function findUserByEmail(db: SqliteDatabase, email: string): UserRow | undefined {
  return statement(db, `SELECT ${COLUMNS} FROM "user" WHERE "email" = ?`).get(email) as UserRow | undefined;
}

export function findUserById(db: SqliteDatabase, id: string): UserRow | undefined {
  return statement(db, `SELECT ${COLUMNS} FROM "user" WHERE "id" = ?`).get(id) as UserRow | undefined;
}
