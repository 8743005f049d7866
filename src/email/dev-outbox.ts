import { statement, type SqliteDatabase } from '../core/database.ts';
import type { Mail, Mailer } from './mailer.ts';

/** Enough for a developer's recent mails; older ones are dropped so the table cannot grow without bound. */
export const DEV_OUTBOX_LIMIT = 200;

export interface OutboxMail extends Mail {
  id: number;
  createdAt: string;
}

/**
 * DEVELOPMENT ONLY: instead of sending, mails (magic links and verification links
 * included, so these rows are usable until they expire) are kept in the encrypted
 * control database and readable at /api/dev/outbox. Production never creates it.
 */
export class DevOutbox implements Mailer {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async send(mail: Mail): Promise<void> {
    statement(this.#db, 'INSERT INTO dev_outbox (recipient, subject, body, created_at) VALUES (?, ?, ?, ?)').run(
      mail.to,
      mail.subject,
      mail.text,
      new Date().toISOString(),
    );
    statement(this.#db, 'DELETE FROM dev_outbox WHERE id <= (SELECT max(id) FROM dev_outbox) - ?').run(DEV_OUTBOX_LIMIT);
  }

  /** Newest first. */
  list(): OutboxMail[] {
    return statement(this.#db, 'SELECT id, recipient AS "to", subject, body AS text, created_at AS createdAt FROM dev_outbox ORDER BY id DESC').all() as OutboxMail[];
  }
}
