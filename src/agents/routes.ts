import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import {
  accessTokenSchema,
  agentIdSchema,
  agentSchema,
  challengeRequestSchema,
  challengeSchema,
  createdPairingTokenSchema,
  createPairingTokenSchema,
  pairedSchema,
  pairingTokenIdSchema,
  pairingTokenSchema,
  pairSchema,
  tokenRequestSchema,
} from './schema.ts';
import type { AgentService } from './service.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });
const tags = ['agents'];

/** Under /api/w/:workspaceId: people who manage the workspace pair and revoke agents. */
export const agentRoutes: FastifyPluginAsyncZod<{ agents: AgentService }> = async (app, { agents }) => {
  app.post(
    '/agents/pairing-tokens',
    {
      schema: { tags, description: 'AGT-01: a single-use pairing token, shown only in this answer.', params, body: createPairingTokenSchema, response: { 201: createdPairingTokenSchema } },
      config: { permission: 'agents:manage' },
    },
    async (request, reply) => reply.status(201).send(await agents.createPairingToken(request.params.workspaceId, request.body, request.meta)),
  );

  app.get(
    '/agents/pairing-tokens',
    { schema: { tags, params, response: { 200: z.strictObject({ pairingTokens: z.array(pairingTokenSchema) }) } }, config: { permission: 'agents:manage' } },
    async (request) => ({ pairingTokens: agents.listPairingTokens(request.params.workspaceId) }),
  );

  app.delete(
    '/agents/pairing-tokens/:pairingTokenId',
    { schema: { tags, params: params.extend({ pairingTokenId: pairingTokenIdSchema }), response: { 204: z.null() } }, config: { permission: 'agents:manage' } },
    async (request, reply) => {
      await agents.deletePairingToken(request.params.workspaceId, request.params.pairingTokenId, request.meta);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/agents',
    { schema: { tags, params, response: { 200: z.strictObject({ agents: z.array(agentSchema) }) } }, config: { permission: 'agents:manage' } },
    async (request) => ({ agents: agents.list(request.params.workspaceId) }),
  );

  app.delete(
    '/agents/:agentId',
    { schema: { tags, params: params.extend({ agentId: agentIdSchema }), response: { 204: z.null() } }, config: { permission: 'agents:manage' } },
    async (request, reply) => {
      await agents.revoke(request.params.workspaceId, request.params.agentId, request.meta);
      return reply.status(204).send(null);
    },
  );
};

/**
 * Under /api/agents, without credentials: what an agent calls to pair and to get access
 * tokens. Pairing is limited like sign-in (it guesses at a secret); challenges and tokens
 * count against the per-IP limit every route has.
 */
export const agentAuthRoutes: FastifyPluginAsyncZod<{ agents: AgentService; pairPerIpPerMinute: number }> = async (app, { agents, pairPerIpPerMinute }) => {
  app.post(
    '/pair',
    {
      schema: { tags, description: 'AGT-01: trade a pairing token (once) and an Ed25519 public key (JWK) for an agent id.', body: pairSchema, response: { 201: pairedSchema } },
      config: { rateLimit: { max: pairPerIpPerMinute, timeWindow: 60_000 } },
    },
    async (request, reply) => reply.status(201).send(await agents.pair(request.body, request.meta)),
  );

  app.post(
    '/challenge',
    {
      schema: {
        tags,
        description: 'AGT-02: a fresh single-use nonce. Sign the UTF-8 bytes "enclave-agent-challenge:v1\\n<agentId>\\n<nonce>" with Ed25519.',
        body: challengeRequestSchema,
        response: { 200: challengeSchema },
      },
    },
    async (request) => agents.challenge(request.body.agentId),
  );

  app.post(
    '/token',
    {
      schema: { tags, description: 'AGT-02: the signed challenge for a short-lived EdDSA access token (Authorization: Bearer).', body: tokenRequestSchema, response: { 200: accessTokenSchema } },
    },
    async (request) => agents.token(request.body, request.meta),
  );
};
