import type { SqliteDatabase } from '../core/database.ts';
import { revokeMcpTokensOfUser } from '../mcp-tokens/store.ts';
import { revokeGrantsOfUser } from '../oauth/revoke.ts';
import { deleteAccountLinks, deleteAllSessions } from './account-store.ts';

/** What revoking an account's access ended, for the audit record. */
export interface Revoked {
  sessions: number;
  links: number;
  /** AIC-06: AI clients' OAuth grants, with every token issued under them. */
  mcpGrants: number;
  /** AIC-05: the person's personal MCP tokens, in every workspace. */
  mcpTokens: number;
}

/**
 * THE one place that takes away everything an account holds (IDN-06, ACC-06): every
 * session (including sign-ins waiting for a second factor) and every outstanding
 * single-use link (magic link, email verification, password reset), every AI client's
 * OAuth grant with its tokens, every personal MCP token. One transaction, so nothing survives half-way. Every new
 * kind of credential bound to a person must be revoked here too, so that a SCIM delete or
 * deactivate (and any later "disable account") ends it at once.
 * Workspace API keys are not a person's: they belong to the workspace and stay.
 */
export function revokeEverything(db: SqliteDatabase, userId: string): Revoked {
  return db.transaction(() => ({
    sessions: deleteAllSessions(db, userId),
    links: deleteAccountLinks(db, userId),
    mcpGrants: revokeGrantsOfUser(db, userId),
    mcpTokens: revokeMcpTokensOfUser(db, userId, new Date().toISOString()),
  }))();
}
