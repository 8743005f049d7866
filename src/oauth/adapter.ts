import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { SqliteDatabase } from '../core/database.ts';
import { hashToken } from '../core/tokens.ts';
import { consumeArtifact, deleteArtifact, deleteArtifactsOfGrant, findArtifact, findArtifactByUid, upsertArtifact } from './artifact-store.ts';

/**
 * oidc-provider's storage (AIC-04), in the control database. Every artifact is keyed by
 * the SHA-256 of its id and stored without it: the id of an authorization code, access
 * token or refresh token is the token itself, so the database holds nothing a caller could
 * present. A lookup hashes what was presented and puts the id back into the payload.
 */
export class SqliteOAuthAdapter implements Adapter {
  readonly #db: SqliteDatabase;
  readonly #model: string;

  constructor(db: SqliteDatabase, model: string) {
    this.#db = db;
    this.#model = model;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const { jti: _id, ...stored } = payload;
    upsertArtifact(this.#db, {
      model: this.#model,
      idHash: hashToken(id),
      // A grant is revoked with everything issued under it, itself included.
      grantId: this.#model === 'Grant' ? id : (payload.grantId ?? null),
      uidHash: payload.uid === undefined ? null : hashToken(payload.uid),
      payload: JSON.stringify(stored),
      expiresAt: expiresIn ? Math.floor(Date.now() / 1000) + expiresIn : null,
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#payload(id, findArtifact(this.#db, this.#model, hashToken(id)));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const row = findArtifactByUid(this.#db, this.#model, hashToken(uid));
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    // A session found by uid is then saved under its own id, which only its cookie holds.
    return this.#live(row) ? { ...payload, ...(row.consumed_at ? { consumed: row.consumed_at } : {}) } : undefined;
  }

  async findByUserCode(): Promise<undefined> {
    // The device flow is not enabled: no user codes exist.
    return undefined;
  }

  async consume(id: string): Promise<void> {
    consumeArtifact(this.#db, this.#model, hashToken(id), Math.floor(Date.now() / 1000));
  }

  async destroy(id: string): Promise<void> {
    deleteArtifact(this.#db, this.#model, hashToken(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    deleteArtifactsOfGrant(this.#db, grantId);
  }

  #payload(id: string, row: { payload: string; expires_at: number | null; consumed_at: number | null } | undefined): AdapterPayload | undefined {
    if (!row || !this.#live(row)) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return { ...payload, jti: id, ...(row.consumed_at ? { consumed: row.consumed_at } : {}) };
  }

  #live(row: { expires_at: number | null }): boolean {
    return row.expires_at === null || row.expires_at > Math.floor(Date.now() / 1000);
  }
}
