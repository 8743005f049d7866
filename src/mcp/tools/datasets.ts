import { z } from 'zod';
import type { DatasetService } from '../../datasets/service.ts';
import { datasetQuerySchema } from '../../datasets/query.ts';
import { datasetNameSchema } from '../../datasets/schema.ts';
import { tool, type McpTool } from './tool.ts';

/**
 * The structured dataset tools. Everything runs on the workspace's read-only handle (ACC-04)
 * and comes back masked (LOG-05): see DatasetService.readOnly and src/datasets/query.ts.
 */
export function datasetTools(datasets: DatasetService): McpTool[] {
  return [
    tool({
      name: 'list_datasets',
      title: 'List datasets',
      description: 'The datasets of this workspace: name, columns (with types and whether each is sensitive), primary key and row count.',
      scope: 'datasets:read',
      inputSchema: z.strictObject({}),
      run: (workspaceId) => {
        const found = datasets.readOnly(workspaceId).list();
        return { result: { datasets: found } };
      },
    }),
    tool({
      name: 'describe_dataset',
      title: 'Describe a dataset',
      description: 'One dataset’s columns (types, nullability, sensitivity), primary key and row count.',
      scope: 'datasets:read',
      inputSchema: z.strictObject({ dataset: datasetNameSchema }),
      run: (workspaceId, input) => ({ result: datasets.readOnly(workspaceId).describe(input.dataset), dataset: input.dataset }),
    }),
    tool({
      name: 'query_dataset',
      title: 'Query a dataset',
      description:
        'Rows of one dataset: choose columns, filter (eq, ne, lt, lte, gt, gte, in, contains, is_null, not_null), sort, ' +
        'or aggregate (count, sum, avg, min, max with groupBy). At most 1000 rows per call; page with offset while `more` is true. ' +
        'Sensitive columns come back masked and can only be tested with is_null / not_null or counted.',
      scope: 'datasets:read',
      inputSchema: datasetQuerySchema,
      run: (workspaceId, input) => {
        const page = datasets.readOnly(workspaceId).query(input);
        const nextOffset = page.more ? input.offset + input.limit : null;
        return { result: { rows: page.rows, more: page.more, nextOffset }, dataset: input.dataset, rowsReturned: page.rows.length };
      },
    }),
  ];
}
