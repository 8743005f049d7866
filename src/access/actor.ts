import type { Role } from './permissions.ts';

/** Who is acting. Every audit event and log line names one. */
export type Actor =
  | { type: 'user'; id: string; sessionId: string }
  | { type: 'api_key'; id: string; workspaceId: string; role: Role }
  /** A paired sync agent (AGT-02): bound to its one workspace, where it acts with the agent-only role. */
  | { type: 'agent'; id: string; workspaceId: string }
  /** A workspace's identity provider, provisioning people over SCIM (IDN-06); it holds no role. */
  | { type: 'scim_token'; id: string; workspaceId: string }
  /**
   * An AI client on the MCP endpoint (AIC-06), acting for one person in the one workspace its
   * token names: `id` is the OAuth grant or the personal MCP token, `scopes` what was consented.
   */
  | { type: 'mcp_client'; id: string; workspaceId: string; userId: string; clientId: string | null; scopes: readonly string[] }
  | { type: 'operator'; id: string }
  | { type: 'system'; id: string }
  | { type: 'anonymous'; id: 'anonymous' };

/** What services need to know about the request that asked them, for the audit trail. */
export interface RequestMeta {
  actor: Actor;
  requestId?: string;
  ip?: string;
  userAgent?: string;
}

/** A person signed in through a session; their role depends on the workspace, so it is looked up per request. */
export type UserActor = Extract<Actor, { type: 'user' }>;

/** The request meta of a signed-in person, for services that act only for one. */
export type UserMeta = RequestMeta & { actor: UserActor };

export const ANONYMOUS: Actor = { type: 'anonymous', id: 'anonymous' };

export function operatorMeta(env: NodeJS.ProcessEnv): RequestMeta {
  return { actor: { type: 'operator', id: env.USER ?? env.LOGNAME ?? 'operator' } };
}
