import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import type { WorkspaceHandle } from '../workspaces/databases.ts';
import type { RunService } from './run-service.ts';
import { workflowIdSchema } from './schema.ts';
import type { WorkflowService } from './service.ts';
import { verifyDelivery, webhookMeta } from './webhooks.ts';

export const WEBHOOK_ROUTE = '/hooks/:workflowId';

const notFound = () => new AppError(404, 'workflow_not_found', 'no webhook-triggered workflow with that id');

/**
 * WEB-07: POST /hooks/:workflowId, outside /api/w. The workspace comes from the control
 * database's workflow index, never from the request; the body is kept as the raw text the
 * signature covers (a JSON parser scoped to this plugin) and parsed only after verifying.
 * Nothing runs unless the signature, timestamp and message id all pass.
 */
export const webhookRoutes: FastifyPluginAsyncZod<{
  workflows: WorkflowService;
  runs: RunService;
  workspace(workspaceId: string): Pick<WorkspaceHandle, 'db'>;
  workspaceExists(workspaceId: string): boolean;
}> = async (app, deps) => {
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.post(
    WEBHOOK_ROUTE,
    {
      schema: {
        tags: ['workflows'],
        params: z.strictObject({ workflowId: workflowIdSchema }),
        body: z.string().optional(),
        response: { 202: z.strictObject({ runId: z.string(), status: z.string() }) },
      },
    },
    async (request, reply) => {
      const { workflowId } = request.params;
      const workspaceId = deps.workflows.workspaceOfHook(workflowId);
      if (workspaceId === undefined || !deps.workspaceExists(workspaceId)) throw notFound();
      const secret = deps.workflows.webhookSecret(workspaceId, workflowId);
      if (secret === undefined) throw notFound();
      const input = verifyDelivery({ secret, workflowId, body: request.body ?? '', headers: request.headers }, deps.workspace(workspaceId).db, new Date());
      const run = await deps.runs.start(workspaceId, workflowId, { input }, 'webhook', webhookMeta(workflowId, request));
      return reply.status(202).send({ runId: run.id, status: run.status });
    },
  );
};
