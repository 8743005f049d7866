import { statement, type SqliteDatabase } from '../core/database.ts';

/** False when this challenge was spent before: the primary key refuses it in the same statement. */
export function spendChallenge(db: SqliteDatabase, signature: string, expiresAt: string): boolean {
  return statement(db, 'INSERT INTO proof_of_work_spent (signature, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(signature, expiresAt).changes === 1;
}
