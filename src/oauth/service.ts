import type Provider from 'oidc-provider';
import type { Actor, RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { hashToken } from '../core/tokens.ts';
import { isMcpScope, type McpScope } from '../mcp/scopes.ts';
import { findArtifact } from './artifact-store.ts';
import { findGrant, insertGrant, listGrants, touchGrant, type GrantRow } from './grant-store.ts';
import type { OAuthProviderOptions } from './provider.ts';
import { revokeGrant } from './revoke.ts';
import { MCP_PATH } from './paths.ts';

/** last_used_at is a hint for people, not an audit record: written at most once a minute per grant. */
const TOUCH_INTERVAL_MS = 60_000;

export interface OAuthServiceDeps {
  controlDb: SqliteDatabase;
  workspaceAudit(workspaceId: string): AuditLog;
  emailOf(userId: string): string | undefined;
  provider: Omit<OAuthProviderOptions, 'controlDb' | 'origin'>;
  now?: () => Date;
}

/** A connected AI client as the dashboard lists it (one grant: one person, one workspace). */
export interface ConnectedClient {
  id: string;
  clientId: string;
  clientName: string;
  userEmail: string | null;
  scopes: McpScope[];
  createdAt: string;
  lastUsedAt: string | null;
}

interface AccessTokenPayload {
  grantId?: string;
  aud?: string | string[];
  scope?: string;
  clientId?: string;
}

function scopesOf(text: string): McpScope[] {
  return text.split(' ').filter(isMcpScope);
}

/**
 * The authorization server's side of Enclave (AIC-02..AIC-06): the oidc-provider instance,
 * created on first use for the public origin; the grants people give AI clients, each bound
 * to one workspace; and the check of an access token presented to the MCP endpoint.
 */
export class OAuthService {
  readonly #deps: OAuthServiceDeps;
  readonly #now: () => Date;
  #provider: Promise<Provider> | undefined;
  #origin: (() => string) | undefined;

  constructor(deps: OAuthServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /** The public origin is known only once the server listens: the HTTP layer hands it over when it starts. */
  serveAt(origin: () => string): void {
    this.#origin = origin;
  }

  get origin(): string {
    const origin = this.#origin?.();
    if (!origin) throw new Error('the OAuth server is not serving yet');
    return origin;
  }

  get resource(): string {
    return `${this.origin}${MCP_PATH}`;
  }

  /** Loaded on first use: oidc-provider is a large import that CLI commands never need. */
  provider(): Promise<Provider> {
    this.#provider ??= import('./provider.ts').then(({ createOAuthProvider }) =>
      createOAuthProvider({ ...this.#deps.provider, controlDb: this.#deps.controlDb, origin: this.origin }),
    );
    return this.#provider;
  }

  /**
   * AIC-06: an access token is good only if it is one this server issued (found by its
   * hash), unexpired, issued for the MCP endpoint as its audience (RFC 8707), and its grant
   * still stands; the workspace and the person come from the grant, never from the request.
   */
  authenticate(token: string): Actor | undefined {
    const { controlDb } = this.#deps;
    if (!this.#origin) return undefined;
    const row = findArtifact(controlDb, 'AccessToken', hashToken(token));
    const nowSeconds = Math.floor(this.#now().getTime() / 1000);
    if (!row || (row.expires_at !== null && row.expires_at <= nowSeconds)) return undefined;
    const payload = JSON.parse(row.payload) as AccessTokenPayload;
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (audiences.length !== 1 || audiences[0] !== this.resource || !payload.grantId) return undefined;
    if (!findArtifact(controlDb, 'Grant', hashToken(payload.grantId))) return undefined;
    const grant = findGrant(controlDb, payload.grantId);
    if (!grant) return undefined;
    const consented = new Set(scopesOf(grant.scopes));
    this.#touch(grant);
    return {
      type: 'mcp_client',
      id: grant.grant_id,
      workspaceId: grant.workspace_id,
      userId: grant.user_id,
      clientId: grant.client_id,
      scopes: scopesOf(payload.scope ?? '').filter((scope) => consented.has(scope)),
    };
  }

  /** Records the consent's workspace binding once oidc-provider saved the grant (see interactions.ts). */
  async recordGrant(grant: Omit<GrantRow, 'created_at' | 'last_used_at'>, meta: RequestMeta): Promise<void> {
    insertGrant(this.#deps.controlDb, { ...grant, created_at: this.#now().toISOString() });
    await this.#deps.workspaceAudit(grant.workspace_id).record(
      auditEvent(meta, 'mcp.client_authorize', { type: 'mcp_client', id: grant.client_id }, {
        grantId: grant.grant_id,
        clientName: grant.client_name,
        scopes: grant.scopes.split(' '),
      }),
    );
  }

  /** The workspace's connected AI clients: everyone's for its managers, otherwise the caller's own. */
  list(workspaceId: string, viewer: { userId: string | undefined; all: boolean }): ConnectedClient[] {
    return listGrants(this.#deps.controlDb, workspaceId)
      .filter((grant) => viewer.all || grant.user_id === viewer.userId)
      .map((grant) => ({
        id: grant.grant_id,
        clientId: grant.client_id,
        clientName: grant.client_name,
        userEmail: this.#deps.emailOf(grant.user_id) ?? null,
        scopes: scopesOf(grant.scopes),
        createdAt: grant.created_at,
        lastUsedAt: grant.last_used_at,
      }));
  }

  /** AIC-06: revoking a client's grant ends its tokens before its next call. */
  async revoke(workspaceId: string, grantId: string, viewer: { userId: string | undefined; all: boolean }, meta: RequestMeta): Promise<void> {
    const grant = findGrant(this.#deps.controlDb, grantId);
    if (!grant || grant.workspace_id !== workspaceId || !(viewer.all || grant.user_id === viewer.userId)) {
      throw new AppError(404, 'mcp_client_not_found', 'no connected AI client with that id in this workspace');
    }
    this.#deps.controlDb.transaction(() => revokeGrant(this.#deps.controlDb, grantId))();
    await this.#deps.workspaceAudit(workspaceId).record(
      auditEvent(meta, 'mcp.client_revoke', { type: 'mcp_client', id: grant.client_id }, { grantId, clientName: grant.client_name, userId: grant.user_id }),
    );
  }

  #touch(grant: GrantRow): void {
    const now = this.#now();
    if (grant.last_used_at && now.getTime() - Date.parse(grant.last_used_at) < TOUCH_INTERVAL_MS) return;
    touchGrant(this.#deps.controlDb, grant.grant_id, now.toISOString());
  }
}
