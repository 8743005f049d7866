import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can } from '../access/permissions.ts';
import type { WorkspaceRoles } from '../http/workspace-scope.ts';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import {
  addColumnsSchema,
  batchResultSchema,
  batchSchema,
  createDatasetSchema,
  datasetNameSchema,
  datasetSchema,
  rowPageQuery,
  rowPageSchema,
} from './schema.ts';
import type { DatasetService } from './service.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });
const datasetParams = params.extend({ name: datasetNameSchema });
const tags = ['datasets'];

/** Workspace routes under /api/w/:workspaceId; names are allow-listed by these schemas before any service or SQL sees them. */
export const datasetRoutes: FastifyPluginAsyncZod<{ datasets: DatasetService; roles: WorkspaceRoles }> = async (app, { datasets, roles }) => {
  app.get(
    '/datasets',
    { schema: { tags, params, response: { 200: z.strictObject({ datasets: z.array(datasetSchema) }) } }, config: { permission: 'datasets:read' } },
    async (request) => ({ datasets: datasets.list(request.params.workspaceId) }),
  );

  app.post(
    '/datasets',
    {
      schema: { tags, params, body: createDatasetSchema, response: { 201: datasetSchema } },
      config: { permission: 'datasets:define' },
    },
    async (request, reply) => reply.status(201).send(await datasets.create(request.params.workspaceId, request.body, request.meta)),
  );

  app.get(
    '/datasets/:name',
    { schema: { tags, params: datasetParams, response: { 200: datasetSchema } }, config: { permission: 'datasets:read' } },
    async (request) => datasets.get(request.params.workspaceId, request.params.name),
  );

  app.post(
    '/datasets/:name/columns',
    {
      schema: { tags, description: 'Adds columns (always nullable: stored rows have no value for them).', params: datasetParams, body: addColumnsSchema, response: { 200: datasetSchema } },
      config: { permission: 'datasets:define' },
    },
    async (request) => datasets.addColumns(request.params.workspaceId, request.params.name, request.body, request.meta),
  );

  app.delete(
    '/datasets/:name',
    { schema: { tags, params: datasetParams, response: { 204: z.null() } }, config: { permission: 'datasets:manage' } },
    async (request, reply) => {
      await datasets.delete(request.params.workspaceId, request.params.name, request.meta);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/datasets/:name/rows',
    {
      schema: {
        tags,
        description: [
          'Rows in primary-key order; pass nextCursor back as cursor for the next page.',
          'LOG-05: roles with datasets:reveal (owner, admin) get every value as stored. For every other role the value of a column',
          'declared `sensitive` is replaced whole by "[REDACTED:sensitive]" (null stays null), and all other values pass through',
          'the content redactor, so card numbers, IBANs, national ids, e-mail addresses and similar are masked as "[REDACTED:<kind>]"',
          'inside text (and a column named like a secret, e.g. `password`, is masked whole). Masked values are strings whatever',
          "the column's type. The stored rows are never changed.",
        ].join(' '),
        params: datasetParams,
        querystring: rowPageQuery,
        response: { 200: rowPageSchema },
      },
      config: { permission: 'datasets:readRows' },
    },
    async (request) => {
      const { workspaceId } = request.params;
      // The gate has already checked this role holds datasets:readRows; here it decides what the answer holds.
      const role = roles.roleIn(workspaceId, request.actor);
      const reveal = role !== undefined && can(role, 'datasets:reveal');
      return datasets.rows(workspaceId, request.params.name, request.query, { reveal });
    },
  );

  app.post(
    '/datasets/:name/batches',
    {
      schema: {
        tags,
        description: [
          'AGT-03 sync batch: at most 1,000 upserts and 1,000 deletes, 1 MiB.',
          'Every row is checked against the schema on its own: valid rows are applied, each invalid one is listed in `rejected`',
          'with its operation, index and reason, and the answer is still 200. An upsert carries every column (a missing one is null);',
          'a delete names exactly the primary-key columns. Upserts apply in order, then deletes, in one transaction.',
          'The batch id makes it idempotent for 7 days: sending the same batch again changes nothing and returns the first answer',
          '(with Idempotent-Replayed: true); the same id with another body is 409 batch_id_conflict. Fix rejected rows under a new batch id.',
        ].join(' '),
        params: datasetParams,
        body: batchSchema,
        response: { 200: batchResultSchema },
      },
      config: { permission: 'datasets:write' },
      bodyLimit: 1024 * 1024,
    },
    async (request, reply) => {
      const { result, replayed } = await datasets.applyBatch(request.params.workspaceId, request.params.name, request.body, request.meta);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return result;
    },
  );
};
