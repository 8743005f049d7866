import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can } from '../access/permissions.ts';
import { AppError } from '../core/errors.ts';

/**
 * The gate in front of every `/api/w/:workspaceId/…` route: an actor is required, the
 * workspace must be the actor's own, and the actor's role must hold the route's declared
 * permission. It runs before the body is even validated, and a workspace the actor
 * does not belong to answers exactly like one that does not exist (ACC-03).
 */
export async function authorizeWorkspaceRequest(request: FastifyRequest): Promise<void> {
  const actor = request.actor;
  if (actor.type === 'anonymous') {
    throw new AppError(401, 'unauthenticated', 'sign in or present an API key', { 'www-authenticate': 'Bearer' });
  }
  const workspaceId = (request.params as { workspaceId?: string }).workspaceId;
  if (actor.type !== 'api_key' || workspaceId !== actor.workspaceId) {
    throw new AppError(404, 'workspace_not_found', 'no such workspace');
  }
  const permission = request.routeOptions.config.permission;
  if (!permission || !can(actor.role, permission)) {
    throw new AppError(403, 'forbidden', 'your role does not allow this action');
  }
}

/** Fails start-up when a workspace route forgets to declare its permission. */
export function requireDeclaredPermissions(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/w/') && !route.config?.permission && route.method !== 'HEAD') {
      throw new Error(`workspace route ${String(route.method)} ${route.url} declares no permission`);
    }
  });
}
