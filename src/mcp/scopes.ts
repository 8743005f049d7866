import type { Permission } from '../access/permissions.ts';

/**
 * What an AI client may be allowed to do (AIC-07): the consent screen and the personal-token
 * form offer exactly these, each token carries a subset, and every MCP tool names the one it
 * needs. `permission` is what the person behind the token must still hold in the workspace
 * at the moment of the call (ACC-01, ACC-06), so a lowered role narrows every token at once.
 */
export const MCP_SCOPES = {
  'datasets:read': {
    description: 'List and describe datasets and query their rows; sensitive columns stay masked',
    permission: 'datasets:readRows',
  },
  'datasets:sql': {
    description: 'Run read-only SQL (one SELECT) over the datasets; sensitive columns stay masked',
    permission: 'datasets:readRows',
  },
} as const satisfies Record<string, { description: string; permission: Permission }>;

export type McpScope = keyof typeof MCP_SCOPES;

export const MCP_SCOPE_NAMES = Object.keys(MCP_SCOPES) as McpScope[];

export function isMcpScope(value: string): value is McpScope {
  return Object.hasOwn(MCP_SCOPES, value);
}
