import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.ts';

const MINUTE = 60_000;

export interface RateLimitSettings {
  perIpPerMinute: number;
  perActorPerMinute: number;
}

function tooMany(after: string): AppError {
  return new AppError(429, 'rate_limited', `too many requests; retry in ${after}`);
}

/**
 * WEB-05: every route (and 404s) counts against a per-IP limit; workspace routes also
 * count against the acting key's own limit, so one tenant's automation cannot starve
 * another behind the same address. 429 carries Retry-After.
 */
export async function registerRateLimits(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: settings.perIpPerMinute,
    timeWindow: MINUTE,
    keyGenerator: (request: FastifyRequest) => `ip:${request.ip}`,
    errorResponseBuilder: (_request, context) => tooMany(context.after),
  });
}

export function actorRateLimit(app: FastifyInstance, settings: RateLimitSettings) {
  return app.rateLimit({
    max: settings.perActorPerMinute,
    timeWindow: MINUTE,
    keyGenerator: (request: FastifyRequest) => `actor:${request.actor.type}:${request.actor.id}`,
    errorResponseBuilder: (_request, context) => tooMany(context.after),
  });
}
