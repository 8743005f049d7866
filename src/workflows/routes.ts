import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authIdSchema } from '../identity/schema.ts';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import type { RunService } from './run-service.ts';
import {
  createWorkflowSchema,
  creditsSchema,
  listRunsQuerySchema,
  runDetailSchema,
  runIdSchema,
  runSchema,
  setBudgetSchema,
  startRunSchema,
  updateWorkflowSchema,
  versionSchema,
  workflowDetailSchema,
  workflowIdSchema,
  workflowSchema,
} from './schema.ts';
import type { WorkflowService } from './service.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });
const workflowParams = params.extend({ workflowId: workflowIdSchema });
/** The webhook secret is in this answer once, when it is made; no read route has a field for it. */
const saved = z.strictObject({ workflow: workflowDetailSchema, webhookSecret: z.string().optional() });
const tags = ['workflows'];

/** WFL-01, WFL-06, ACC-02: definitions, runs and credits. Thin: the services check, record and audit. */
export const workflowRoutes: FastifyPluginAsyncZod<{ workflows: WorkflowService; runs: RunService }> = async (app, { workflows, runs }) => {
  app.get(
    '/workflows',
    { schema: { tags, params, response: { 200: z.strictObject({ workflows: z.array(workflowSchema) }) } }, config: { permission: 'workflows:read' } },
    async (request) => ({ workflows: workflows.list(request.params.workspaceId) }),
  );

  app.post(
    '/workflows',
    { schema: { tags, params, body: createWorkflowSchema, response: { 201: saved } }, config: { permission: 'workflows:manage' } },
    async (request, reply) => reply.status(201).send(await workflows.create(request.params.workspaceId, request.body, request.meta)),
  );

  app.get(
    '/workflows/:workflowId',
    { schema: { tags, params: workflowParams, response: { 200: workflowDetailSchema } }, config: { permission: 'workflows:read' } },
    async (request) => workflows.get(request.params.workspaceId, request.params.workflowId),
  );

  app.patch(
    '/workflows/:workflowId',
    { schema: { tags, params: workflowParams, body: updateWorkflowSchema, response: { 200: saved } }, config: { permission: 'workflows:manage' } },
    async (request) => workflows.update(request.params.workspaceId, request.params.workflowId, request.body, request.meta),
  );

  app.delete(
    '/workflows/:workflowId',
    { schema: { tags, params: workflowParams, response: { 204: z.null() } }, config: { permission: 'workflows:manage' } },
    async (request, reply) => {
      await workflows.delete(request.params.workspaceId, request.params.workflowId, request.meta);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/workflows/:workflowId/versions',
    { schema: { tags, params: workflowParams, response: { 200: z.strictObject({ versions: z.array(versionSchema) }) } }, config: { permission: 'workflows:read' } },
    async (request) => ({ versions: workflows.versions(request.params.workspaceId, request.params.workflowId) }),
  );

  app.post(
    '/workflows/:workflowId/webhook-secret',
    { schema: { tags, params: workflowParams, response: { 200: z.strictObject({ webhookSecret: z.string() }) } }, config: { permission: 'workflows:manage' } },
    async (request) => workflows.rotateWebhookSecret(request.params.workspaceId, request.params.workflowId, request.meta),
  );

  app.post(
    '/workflows/:workflowId/runs',
    { schema: { tags, params: workflowParams, body: startRunSchema, response: { 201: runDetailSchema } }, config: { permission: 'workflows:run' } },
    async (request, reply) => reply.status(201).send(await runs.start(request.params.workspaceId, request.params.workflowId, request.body, 'manual', request.meta)),
  );

  app.get(
    '/runs',
    { schema: { tags, params, querystring: listRunsQuerySchema, response: { 200: z.strictObject({ runs: z.array(runSchema) }) } }, config: { permission: 'workflows:read' } },
    async (request) => ({ runs: runs.list(request.params.workspaceId, request.query) }),
  );

  app.get(
    '/runs/:runId',
    { schema: { tags, params: params.extend({ runId: runIdSchema }), response: { 200: runDetailSchema } }, config: { permission: 'workflows:read' } },
    async (request) => runs.get(request.params.workspaceId, request.params.runId),
  );

  app.get(
    '/credits',
    { schema: { tags, params, response: { 200: creditsSchema } }, config: { permission: 'workflows:read' } },
    async (request) => runs.credits(request.params.workspaceId),
  );

  app.put(
    '/credits/budget',
    { schema: { tags, params, body: setBudgetSchema, response: { 200: creditsSchema } }, config: { permission: 'credits:manage' } },
    async (request) => runs.setBudget(request.params.workspaceId, undefined, request.body.monthlyLimit, request.meta),
  );

  app.put(
    '/credits/budget/members/:userId',
    { schema: { tags, params: params.extend({ userId: authIdSchema }), body: setBudgetSchema, response: { 200: creditsSchema } }, config: { permission: 'credits:manage' } },
    async (request) => runs.setBudget(request.params.workspaceId, request.params.userId, request.body.monthlyLimit, request.meta),
  );
};
