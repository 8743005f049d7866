/**
 * The single permission catalogue (ACC-01): every route, MCP tool and CLI command names
 * one of these permissions, and `can` is the one function that answers for a role.
 * Least privilege: a role has a permission only if it is listed here.
 */
export const ROLES = ['owner', 'admin', 'builder', 'viewer', 'workflow-only', 'agent-only'] as const;
export type Role = (typeof ROLES)[number];

const everyone: readonly Role[] = ROLES;
const managers: readonly Role[] = ['owner', 'admin'];
/** Policies that bind every member, such as requiring MFA (IDN-05). */
const owners: readonly Role[] = ['owner'];
/** People who work in the workspace; the workflow-only and agent-only roles exist for automation. */
const people: readonly Role[] = ['owner', 'admin', 'builder', 'viewer'];
/** People who build workflows: they connect the tools those workflows use. */
const builders: readonly Role[] = ['owner', 'admin', 'builder'];

export const PERMISSIONS = {
  'workspace:read': everyone,
  'workspace:update': managers,
  'audit:read': managers,
  'apiKeys:read': managers,
  'apiKeys:manage': managers,
  'members:read': people,
  'members:manage': managers,
  'security:manage': owners,
  /** VLT-03: credential metadata; the secrets themselves are never readable through any route. */
  'credentials:read': builders,
  'credentials:manage': builders,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
