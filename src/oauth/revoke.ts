import type { SqliteDatabase } from '../core/database.ts';
import { deleteArtifactsOfGrant } from './artifact-store.ts';
import { deleteGrant, grantIdsOfUser } from './grant-store.ts';

/** Ends a grant at once: the grant, every code and token issued under it, and its workspace binding (AIC-06). */
export function revokeGrant(db: SqliteDatabase, grantId: string): void {
  deleteArtifactsOfGrant(db, grantId);
  deleteGrant(db, grantId);
}

/** Every AI client's access on behalf of a person, for revokeEverything (IDN-06, ACC-06); the caller holds the transaction. */
export function revokeGrantsOfUser(db: SqliteDatabase, userId: string): number {
  const grants = grantIdsOfUser(db, userId);
  for (const grantId of grants) revokeGrant(db, grantId);
  return grants.length;
}
