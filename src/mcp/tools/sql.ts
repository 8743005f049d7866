import { z } from 'zod';
import { tool, type McpTool } from './tool.ts';

/** The read-only SQL runner (src/mcp/sql/read-only-sql.ts): refusals and time-outs are AppErrors with 4xx statuses. */
export interface SqlRunner {
  run(workspaceId: string, sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[]; truncated: boolean }>;
}

export function sqlTool(sql: SqlRunner): McpTool {
  return tool({
    name: 'sql_query',
    title: 'Run read-only SQL',
    description:
      'One read-only SELECT over this workspace’s datasets: dataset <name> is the table ds_<name>. ' +
      'Sensitive columns come back masked and cannot be filtered, sorted, joined or computed on. At most 1000 rows.',
    scope: 'datasets:sql',
    inputSchema: z.strictObject({ sql: z.string().min(1).max(100_000) }),
    run: async (workspaceId, input) => {
      const answer = await sql.run(workspaceId, input.sql);
      return { result: answer, rowsReturned: answer.rows.length };
    },
  });
}
