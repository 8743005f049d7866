import type { SqliteDatabase } from '../core/database.ts';
import { hashToken, newSecret } from '../core/tokens.ts';
import type { SamlRequestLedger } from './saml.ts';
import { deleteExpiredSamlRequests, insertSamlCompletion, insertSamlRequest, takeSamlCompletion, takeSamlRequest } from './store.ts';

/**
 * The AuthnRequest ids Enclave has sent, in the control database so they survive a restart
 * and are shared by every request handler. Each is bound to its connection and to the
 * browser that started it, expires, and is removed by the answer that uses it (single use).
 * Ids are stored as SHA-256 like every other one-time value.
 */
export function samlRequestLedger(db: SqliteDatabase, requestMs: number, now: () => Date = () => new Date()): SamlRequestLedger {
  return {
    remember(connectionId, requestId, issuedAt, bindingDigest) {
      const at = now();
      deleteExpiredSamlRequests(db, at.toISOString());
      insertSamlRequest(db, {
        id_hash: hashToken(requestId),
        connection_id: connectionId,
        binding_hash: bindingDigest,
        created_at: issuedAt,
        expires_at: new Date(at.getTime() + requestMs).toISOString(),
      });
    },
    take(connectionId, requestId) {
      const row = takeSamlRequest(db, hashToken(requestId), connectionId);
      return row && row.expires_at > now().toISOString() ? { issuedAt: row.created_at, bindingDigest: row.binding_hash } : undefined;
    },
  };
}

/** Who a validated SAML answer named, waiting for the browser that started the sign-in. */
export interface SamlCompletion {
  connectionId: string;
  identity: { subject: string; email: string; name: string | undefined };
  bindingDigest: string;
}

/** How long a validated answer waits for the browser's redirect to arrive: one hop, so a minute is plenty. */
const COMPLETION_MS = 60_000;

/** Validated answers between the ACS and the same-site step that opens the session (see migrations.ts). */
export class SamlCompletions {
  readonly #db: SqliteDatabase;
  readonly #now: () => Date;

  constructor(db: SqliteDatabase, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  /** Parks a completion and returns the single-use code that claims it. */
  park(completion: SamlCompletion): string {
    const { secret, hash } = newSecret();
    insertSamlCompletion(this.#db, {
      code_hash: hash,
      connection_id: completion.connectionId,
      identity: JSON.stringify(completion.identity),
      binding_hash: completion.bindingDigest,
      expires_at: new Date(this.#now().getTime() + COMPLETION_MS).toISOString(),
    });
    return secret;
  }

  claim(code: string): SamlCompletion | undefined {
    const row = takeSamlCompletion(this.#db, hashToken(code));
    if (!row || row.expires_at <= this.#now().toISOString()) return undefined;
    return { connectionId: row.connection_id, identity: JSON.parse(row.identity) as SamlCompletion['identity'], bindingDigest: row.binding_hash };
  }
}
