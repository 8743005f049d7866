import type { FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.ts';

/**
 * LOG-06: every answered request is reported to the alert rules with its actor and client
 * address, so requests made with a workspace bearer credential feed "token used from a new
 * network" and "abnormal request rate". It runs after the answer went out, and the rules
 * keep what they need in memory, so a request from a known network costs no database write.
 */
export function watchTokenUse(alerts: { observeTokenUse(use: { actor: Actor | null; ip: string | undefined }): void }) {
  return async function reportTokenUse(request: FastifyRequest): Promise<void> {
    // A request refused before the request context ran (a framework error) has no actor.
    alerts.observeTokenUse({ actor: (request.actor as Actor | null) ?? null, ip: request.ip });
  };
}
