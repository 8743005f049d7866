import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.ts';
import { can, type Permission, type Role } from '../access/permissions.ts';
import { AppError } from '../core/errors.ts';

export interface WorkspaceRoles {
  /** The actor's role in the workspace, or undefined when it has none there; read fresh on every call. */
  roleIn(workspaceId: string, actor: Actor): Role | undefined;
}

export interface WorkspaceMfaPolicy {
  /** True when the workspace requires MFA and this actor is a person without it (IDN-05); read fresh on every call. */
  blocks(workspaceId: string, actor: Actor): boolean;
}

/**
 * The gate in front of every `/api/w/:workspaceId/…` route: an actor is required, it must
 * hold a role in the path's workspace (a key its own workspace, a person a membership),
 * and that role must hold the route's declared permission. It runs before the body is even
 * validated, and a workspace the actor has no role in answers exactly like one that does
 * not exist (ACC-03). Roles are looked up on every request, so a removed member or a
 * lowered role is refused from the very next one (ACC-06).
 */
export function workspaceGate(roles: WorkspaceRoles, mfa: WorkspaceMfaPolicy) {
  return async function authorizeWorkspaceRequest(request: FastifyRequest): Promise<void> {
    const actor = request.actor;
    if (actor.type === 'anonymous') {
      throw new AppError(401, 'unauthenticated', 'sign in or present an API key', { 'www-authenticate': 'Bearer' });
    }
    const workspaceId = (request.params as { workspaceId?: string }).workspaceId;
    // AGT-02: an agent's token is audience-bound to its own workspace's API; elsewhere it is
    // a token presented to the wrong audience (RFC 6750), whether that workspace exists or not.
    // AIC-06: an MCP token's audience is the MCP endpoint; the REST API is another audience.
    if ((actor.type === 'agent' && actor.workspaceId !== workspaceId) || actor.type === 'mcp_client') {
      throw new AppError(401, 'invalid_token', 'the credential presented is not valid for this workspace', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    const role = workspaceId === undefined ? undefined : roles.roleIn(workspaceId, actor);
    if (role === undefined) throw new AppError(404, 'workspace_not_found', 'no such workspace');
    if (mfa.blocks(workspaceId!, actor)) {
      throw new AppError(403, 'mfa_required', 'this workspace requires multi-factor authentication: set up an authenticator app (POST /api/auth/mfa/totp/enroll), then try again');
    }
    const permission = request.routeOptions.config.permission;
    if (!permission || !can(role, permission)) {
      throw new AppError(403, 'forbidden', 'your role does not allow this action');
    }
  };
}

/** A workspace route as registered, with the permission it declared (ACC-01). */
export interface WorkspaceRoute {
  method: string;
  url: string;
  permission: Permission;
  /** The route's body schema, if it takes a body. */
  body?: unknown;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every `/api/w/…` route with its declared permission, collected as routes register: the route × permission table behind ACC-01. */
    workspaceRoutes: readonly WorkspaceRoute[];
  }
}

/** Fails start-up when a workspace route forgets to declare its permission, and records those that do on `app.workspaceRoutes`. */
export function requireDeclaredPermissions(app: FastifyInstance): void {
  const routes: WorkspaceRoute[] = [];
  app.decorate('workspaceRoutes', routes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/w/')) return;
    const permission = route.config?.permission;
    if (!permission) {
      if (route.method === 'HEAD') return;
      throw new Error(`workspace route ${String(route.method)} ${route.url} declares no permission`);
    }
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, permission, ...(route.schema?.body === undefined ? {} : { body: route.schema.body }) });
    }
  });
}

/**
 * LOG-06: every workspace request refused with 403 or 404 is reported to the alert rules,
 * since that is how a foreign workspace or a foreign id answers (ACC-03) to someone probing.
 */
export function watchRefusals(alerts: { observeWorkspaceRefusal(refusal: { actor: Actor; ip: string | undefined; workspaceId: string | undefined; status: number; route: string }): void }) {
  return async function reportRefusal(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if ((reply.statusCode !== 403 && reply.statusCode !== 404) || request.actor.type === 'anonymous') return;
    alerts.observeWorkspaceRefusal({
      actor: request.actor,
      ip: request.ip,
      workspaceId: (request.params as { workspaceId?: string }).workspaceId,
      status: reply.statusCode,
      route: `${request.method} ${request.routeOptions.url ?? 'unknown'}`,
    });
  };
}
