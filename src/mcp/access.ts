import type { Actor } from '../access/actor.ts';
import { can, type Role } from '../access/permissions.ts';
import { AppError } from '../core/errors.ts';
import { PROTECTED_RESOURCE_METADATA_PATH } from '../oauth/paths.ts';
import { isMcpScope, MCP_SCOPES, type McpScope } from './scopes.ts';

export type McpActor = Extract<Actor, { type: 'mcp_client' }>;

/** The scope a client that has none is told to ask for: the least one that lets it do anything. */
export const DEFAULT_SCOPE: McpScope = 'datasets:read';

/**
 * AIC-01: the challenge on every 401 from /mcp points at the protected-resource metadata
 * (RFC 9728), so a client that holds no working token knows where to get one.
 */
export function mcpChallenge(publicOrigin: string, error?: 'invalid_token'): string {
  const errorPart = error === undefined ? '' : `error="${error}", `;
  return `Bearer ${errorPart}resource_metadata="${publicOrigin}${PROTECTED_RESOURCE_METADATA_PATH}", scope="${DEFAULT_SCOPE}"`;
}

export interface McpAccessDeps {
  /** The person's current role in the workspace, or undefined once they are no longer a member. */
  roleOf(workspaceId: string, userId: string): Role | undefined;
  /** IDN-05: the workspace requires a second factor the person has not set up. */
  mfaBlocks(workspaceId: string, userId: string): boolean;
}

/**
 * ACC-01, ACC-06: what the token may do at this moment — its scopes, narrowed to those whose
 * permission the person behind it still holds. Asked on every request, so removing a member,
 * lowering their role or requiring MFA takes effect on the next call.
 */
export function usableScopes(actor: McpActor, deps: McpAccessDeps, publicOrigin: string): McpScope[] {
  const role = deps.roleOf(actor.workspaceId, actor.userId);
  if (role === undefined) {
    throw new AppError(401, 'invalid_token', 'the person this token acts for is no longer a member of its workspace', {
      'www-authenticate': mcpChallenge(publicOrigin, 'invalid_token'),
    });
  }
  if (deps.mfaBlocks(actor.workspaceId, actor.userId)) {
    throw new AppError(403, 'mfa_required', 'this workspace requires a second factor; set one up in the dashboard first');
  }
  return actor.scopes.filter(isMcpScope).filter((scope) => can(role, MCP_SCOPES[scope].permission));
}
