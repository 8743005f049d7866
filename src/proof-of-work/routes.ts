import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ProofOfWork } from './service.ts';

export interface ProofOfWorkRouteOptions {
  proofOfWork: ProofOfWork;
}

const challengeSchema = z.strictObject({
  parameters: z.strictObject({
    algorithm: z.string(),
    nonce: z.string(),
    salt: z.string(),
    cost: z.number(),
    keyLength: z.number(),
    keyPrefix: z.string(),
    keySignature: z.string(),
    expiresAt: z.number(),
  }),
  signature: z.string(),
});

/** WEB-06: where the dashboard's ALTCHA widget fetches a challenge to solve. Creating one stores nothing. */
export const proofOfWorkRoutes: FastifyPluginAsyncZod<ProofOfWorkRouteOptions> = async (app, options) => {
  app.get('/challenge', { schema: { tags: ['identity'], response: { 200: challengeSchema } } }, async () => options.proofOfWork.challenge());
};
