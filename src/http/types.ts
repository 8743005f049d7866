import type { Actor, RequestMeta } from '../access/actor.ts';
import type { Permission } from '../access/permissions.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a workspace-scoped route needs (ACC-01); routes without one are refused at start-up. */
    permission?: Permission;
  }
  interface FastifyRequest {
    actor: Actor;
    /** Actor, request id, IP and user agent, for services to put in audit events. */
    meta: RequestMeta;
  }
}
