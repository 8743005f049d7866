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
  /** DAT-02: deleting the whole workspace (restorable for the retention period). */
  'workspace:delete': owners,
  /** DAT-01: downloading everything in the workspace, rows whole, as an archive. */
  'workspace:export': owners,
  'audit:read': managers,
  /** LOG-06: acknowledging the workspace's security alerts. */
  'alerts:manage': managers,
  'apiKeys:read': managers,
  'apiKeys:manage': managers,
  'members:read': people,
  'members:manage': managers,
  'security:manage': owners,
  /** VLT-03: credential metadata; the secrets themselves are never readable through any route. */
  'credentials:read': builders,
  'credentials:manage': builders,
  /** IDN-06: which domains and identity providers sign people in to the workspace, and with what role. */
  'sso:manage': owners,
  /** Datasets (AGT-03): a paired agent sees dataset schemas and may define and fill them, but never reads rows back. */
  'datasets:read': [...people, 'agent-only'],
  'datasets:readRows': people,
  /**
   * LOG-05: reading rows with sensitive columns and personal data whole. It guards no route of
   * its own: without it GET …/rows answers with those values masked (src/datasets/masking.ts).
   */
  'datasets:reveal': managers,
  'datasets:define': [...builders, 'agent-only'],
  'datasets:write': [...builders, 'agent-only'],
  'datasets:manage': builders,
  /** AGT-01: pairing tokens and the agents paired with them. */
  'agents:manage': managers,
  /** IDN-06: SCIM tokens, which let a directory add, change and deactivate the workspace's people. */
  'scim:manage': owners,
  /** AIC-06: the AI clients a person connected to the workspace over OAuth; managers see and revoke everyone's. */
  'mcp:clients': people,
  /** AIC-05: a person's own MCP tokens for the workspace; managers may also revoke anyone's. */
  'mcp:tokens': people,
  /** WFL-01, WFL-06: workflow definitions, their versions, runs (redacted payloads) and credit usage. */
  'workflows:read': [...people, 'workflow-only'],
  'workflows:manage': builders,
  /** Starting a run by hand; the workflow-only role exists for automation that does just this. */
  'workflows:run': [...builders, 'workflow-only'],
  /** ACC-02: per-workspace and per-member credit budgets bind everyone, so only owners set them. */
  'credits:manage': owners,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
