import type { z } from 'zod';
import type { McpScope } from '../scopes.ts';

/** What one tool answered, and what its audit event records of it (LOG-01). */
export interface ToolOutcome {
  result: unknown;
  dataset?: string;
  rowsReturned?: number;
}

/**
 * An MCP tool: its input schema (zod, shared with the SDK's validation and tools/list), the
 * scope a token needs to see and call it (AIC-07), and what it does in the token's workspace.
 * The workspace comes from the token only (AIC-06): no tool takes one as an argument.
 */
export interface McpTool<Schema extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  scope: McpScope;
  inputSchema: Schema;
  run(workspaceId: string, input: z.infer<Schema>): ToolOutcome | Promise<ToolOutcome>;
}

/** Keeps each tool's input type tied to its own schema while the catalogue holds them side by side. */
export function tool<Schema extends z.ZodType>(definition: McpTool<Schema>): McpTool {
  return definition as unknown as McpTool;
}
