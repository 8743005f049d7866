import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import { PRESETS } from './presets.ts';
import { createCredentialSchema, credentialIdSchema, credentialSchema, replaceSecretSchema, updateCredentialSchema } from './schema.ts';
import type { VaultService } from './service.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });
const credentialParams = params.extend({ credentialId: credentialIdSchema });

/** VLT-03: every answer here is credential metadata; no schema below has a field a secret could travel in. */
export const vaultRoutes: FastifyPluginAsyncZod<{ vault: VaultService }> = async (app, { vault }) => {
  app.get(
    '/credentials',
    { schema: { tags: ['vault'], params, response: { 200: z.strictObject({ credentials: z.array(credentialSchema) }) } }, config: { permission: 'credentials:read' } },
    async (request) => ({ credentials: vault.list(request.params.workspaceId) }),
  );

  app.get(
    '/credentials/presets',
    {
      schema: { tags: ['vault'], params, response: { 200: z.strictObject({ presets: z.array(z.strictObject({ id: z.string(), label: z.string(), kind: z.string(), header: z.string().optional() })) }) } },
      config: { permission: 'credentials:read' },
    },
    async () => ({ presets: Object.entries(PRESETS).map(([id, preset]) => ({ id, ...preset })) }),
  );

  app.get(
    '/credentials/:credentialId',
    { schema: { tags: ['vault'], params: credentialParams, response: { 200: credentialSchema } }, config: { permission: 'credentials:read' } },
    async (request) => vault.get(request.params.workspaceId, request.params.credentialId),
  );

  app.post(
    '/credentials',
    { schema: { tags: ['vault'], params, body: createCredentialSchema, response: { 201: credentialSchema } }, config: { permission: 'credentials:manage' } },
    async (request, reply) => reply.status(201).send(await vault.create(request.params.workspaceId, request.body, request.meta)),
  );

  app.patch(
    '/credentials/:credentialId',
    { schema: { tags: ['vault'], params: credentialParams, body: updateCredentialSchema, response: { 200: credentialSchema } }, config: { permission: 'credentials:manage' } },
    async (request) => vault.update(request.params.workspaceId, request.params.credentialId, request.body, request.meta),
  );

  app.put(
    '/credentials/:credentialId/secret',
    { schema: { tags: ['vault'], params: credentialParams, body: replaceSecretSchema, response: { 200: credentialSchema } }, config: { permission: 'credentials:manage' } },
    async (request) => vault.replaceSecret(request.params.workspaceId, request.params.credentialId, request.body.secret, request.meta),
  );

  app.post(
    '/credentials/:credentialId/check',
    { schema: { tags: ['vault'], params: credentialParams, response: { 200: z.strictObject({ intact: z.literal(true) }) } }, config: { permission: 'credentials:read' } },
    async (request) => vault.check(request.params.workspaceId, request.params.credentialId, request.meta),
  );

  app.delete(
    '/credentials/:credentialId',
    { schema: { tags: ['vault'], params: credentialParams, response: { 204: z.null() } }, config: { permission: 'credentials:manage' } },
    async (request, reply) => {
      await vault.delete(request.params.workspaceId, request.params.credentialId, request.meta);
      return reply.status(204).send(null);
    },
  );
};
