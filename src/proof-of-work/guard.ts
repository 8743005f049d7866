import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ProofOfWork } from './service.ts';

/**
 * The body field every protected form carries: the widget's base64 payload. Optional in the
 * schema so that leaving it out is answered `challenge_required` rather than a generic
 * validation error.
 */
export const altchaField = { altcha: z.string().max(4096).optional() };

export type ProofOfWorkGuard = (request: FastifyRequest) => Promise<void>;

/**
 * A preHandler that must come first on its route: a request without a fresh solution is
 * refused before any limit counts it or any work is done for it (WEB-06).
 */
export function requireProofOfWork(proofOfWork: ProofOfWork): ProofOfWorkGuard {
  return (request) => proofOfWork.check((request.body as { altcha?: unknown } | undefined)?.altcha);
}
