import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { UserMeta } from '../access/actor.ts';
import { can, type Role } from '../access/permissions.ts';
import { AppError } from '../core/errors.ts';
import { isMcpScope, MCP_SCOPE_NAMES, MCP_SCOPES, type McpScope } from '../mcp/scopes.ts';
import type { OAuthService } from './service.ts';

export interface ConsentWorkspace {
  id: string;
  name: string;
  role: Role;
}

export interface InteractionDeps {
  oauth: OAuthService;
  /** The person's workspaces with their role in each. */
  workspacesOf(userId: string): ConsentWorkspace[];
  /** IDN-05: a workspace that requires MFA cannot be handed to a client by a person without it. */
  mfaBlocks(workspaceId: string, userId: string): boolean;
  emailOf(userId: string): string | undefined;
}

export type Decision = { decision: 'deny' } | { decision: 'allow'; workspaceId: string; scopes: string[] };

interface Pending {
  provider: Provider;
  clientId: string;
  clientName: string;
  clientUri: string | null;
  logoUri: string | null;
  scopes: McpScope[];
  /** openid and offline_access, when asked for: they name no data, so they go with any consent. */
  standardScopes: string[];
  resource: string;
}

/** Whether a role may use at least one of the scopes asked for: workspaces where it may not are not offered. */
function usable(role: Role, scopes: readonly McpScope[]): boolean {
  return scopes.some((scope) => can(role, MCP_SCOPES[scope].permission));
}

/**
 * The consent step of the authorization flow (AIC-02, AIC-07): oidc-provider sends the
 * browser to the dashboard's consent page, which asks here what is being requested and
 * then posts the person's decision. The person is Enclave's signed-in user, checked on
 * both calls; the grant names one workspace they chose and the scopes they kept.
 */
export class OAuthInteractions {
  readonly #deps: InteractionDeps;

  constructor(deps: InteractionDeps) {
    this.#deps = deps;
  }

  async details(uid: string, userId: string, req: IncomingMessage, res: ServerResponse) {
    const pending = await this.#pending(uid, req, res);
    return {
      client: {
        id: pending.clientId,
        name: pending.clientName,
        uri: pending.clientUri,
        logoUri: pending.logoUri,
        kind: pending.clientId.startsWith('https://') ? ('metadata_document' as const) : ('registered' as const),
      },
      scopes: pending.scopes.map((name) => ({ name, description: MCP_SCOPES[name].description })),
      resource: pending.resource,
      user: { email: this.#deps.emailOf(userId) ?? '' },
      workspaces: this.#deps.workspacesOf(userId).filter((workspace) => usable(workspace.role, pending.scopes)),
    };
  }

  async decide(uid: string, decision: Decision, meta: UserMeta, req: IncomingMessage, res: ServerResponse): Promise<{ redirectTo: string }> {
    const pending = await this.#pending(uid, req, res);
    const userId = meta.actor.id;
    if (decision.decision === 'deny') {
      const redirectTo = await pending.provider.interactionResult(
        req,
        res,
        { error: 'access_denied', error_description: 'the person declined to connect this client' },
        { mergeWithLastSubmission: false },
      );
      return { redirectTo };
    }
    const workspace = this.#deps.workspacesOf(userId).find((candidate) => candidate.id === decision.workspaceId);
    if (!workspace) throw new AppError(404, 'workspace_not_found', 'no such workspace');
    const offered = new Set<string>(pending.scopes);
    const refused = decision.scopes.find((scope) => !offered.has(scope));
    if (refused !== undefined) throw new AppError(400, 'invalid_scope', `the client did not ask for ${refused}`);
    const scopes = [...new Set(decision.scopes)].filter(isMcpScope);
    const beyondRole = scopes.find((scope) => !can(workspace.role, MCP_SCOPES[scope].permission));
    if (beyondRole !== undefined) throw new AppError(403, 'forbidden', `your role in this workspace does not allow ${beyondRole}`);
    if (this.#deps.mfaBlocks(workspace.id, userId)) {
      throw new AppError(403, 'mfa_required', 'this workspace requires multi-factor authentication: set up an authenticator app first');
    }
    const grant = new pending.provider.Grant({ accountId: userId, clientId: pending.clientId });
    grant.addOIDCScope([...pending.standardScopes, ...scopes].join(' '));
    grant.addResourceScope(pending.resource, scopes.join(' '));
    // What the person unticked is rejected, not left pending: the provider would otherwise ask again.
    const unticked = pending.scopes.filter((scope) => !scopes.includes(scope));
    if (unticked.length > 0) {
      grant.rejectOIDCScope(unticked.join(' '));
      grant.rejectResourceScope(pending.resource, unticked.join(' '));
    }
    const grantId = await grant.save();
    await this.#deps.oauth.recordGrant(
      { grant_id: grantId, workspace_id: workspace.id, user_id: userId, client_id: pending.clientId, client_name: pending.clientName, scopes: scopes.join(' ') },
      meta,
    );
    const redirectTo = await pending.provider.interactionResult(req, res, { login: { accountId: userId }, consent: { grantId } }, { mergeWithLastSubmission: false });
    return { redirectTo };
  }

  async #pending(uid: string, req: IncomingMessage, res: ServerResponse): Promise<Pending> {
    const notFound = new AppError(404, 'interaction_not_found', 'this authorization request has expired or was finished; start again from the AI client');
    const provider = await this.#deps.oauth.provider();
    // The interaction is found through its cookie (scoped to this page's path), not the uid alone.
    const interaction = await provider.interactionDetails(req, res).catch(() => undefined);
    if (!interaction || interaction.uid !== uid) throw notFound;
    const clientId = String(interaction.params.client_id ?? '');
    const client = await provider.Client.find(clientId).catch(() => undefined);
    if (!client) throw notFound;
    const requested = String(interaction.params.scope ?? '').split(' ');
    const asked = requested.filter(isMcpScope);
    const resource = typeof interaction.params.resource === 'string' ? interaction.params.resource : this.#deps.oauth.resource;
    if (resource !== this.#deps.oauth.resource) throw new AppError(400, 'invalid_target', 'the only resource here is the MCP endpoint');
    return {
      provider,
      clientId,
      clientName: (typeof client.clientName === 'string' && client.clientName) || clientId,
      clientUri: typeof client.clientUri === 'string' ? client.clientUri : null,
      logoUri: typeof client.logoUri === 'string' ? client.logoUri : null,
      // A client that names no scope the server knows asks for what the server offers.
      scopes: asked.length > 0 ? asked : [...MCP_SCOPE_NAMES],
      standardScopes: requested.filter((scope) => scope === 'openid' || scope === 'offline_access'),
      resource,
    };
  }
}
