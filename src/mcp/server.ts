import { McpServer } from '@modelcontextprotocol/server';
import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import { AppError } from '../core/errors.ts';
import type { McpActor } from './access.ts';
import type { McpScope } from './scopes.ts';
import type { McpTool, ToolOutcome } from './tools/tool.ts';

export interface McpCallContext {
  actor: McpActor;
  meta: RequestMeta;
  /** The scopes usable right now (see access.ts): only their tools are listed and callable. */
  scopes: readonly McpScope[];
  audit: AuditLog;
  /** For failures that are ours, not the caller's; the client sees only a stable code. */
  logError(error: unknown, tool: string): void;
}

type Outcome = 'success' | 'failure' | 'denied';

/** LOG-01: one workspace audit event per tool call, whatever its outcome. */
export async function auditToolCall(context: Pick<McpCallContext, 'actor' | 'meta' | 'audit'>, tool: string, outcome: Outcome, found: Partial<ToolOutcome> & { error?: string }): Promise<void> {
  const { actor } = context;
  await context.audit.record(
    auditEvent(
      context.meta,
      'mcp.tool_call',
      { type: 'mcp_tool', id: tool },
      {
        tool,
        dataset: found.dataset ?? null,
        rowsReturned: found.rowsReturned ?? 0,
        clientId: actor.clientId,
        userId: actor.userId,
        outcome: found.error ?? outcome,
      },
      outcome,
    ),
  );
}

function errorResult(code: string, message: string) {
  return { isError: true, content: [{ type: 'text' as const, text: JSON.stringify({ error: { code, message } }) }] };
}

/**
 * A fresh server per request (the endpoint is stateless): it holds only the tools the
 * token may use now, so tools/list shows nothing else and nothing else can be called.
 * Tool failures are tool results with a stable code (AIC-06), never a stack trace or a 5xx.
 */
export function mcpServer(tools: readonly McpTool[], context: McpCallContext, version: string): McpServer {
  // Tools are advertised even when none is usable now, so clients list an empty set rather than guess.
  const server = new McpServer({ name: 'enclave', version }, { capabilities: { tools: {} } });
  for (const tool of tools.filter((candidate) => context.scopes.includes(candidate.scope))) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.inputSchema, annotations: { readOnlyHint: true, openWorldHint: false } },
      async (input: unknown) => {
        try {
          const outcome = await tool.run(context.actor.workspaceId, input);
          await auditToolCall(context, tool.name, 'success', outcome);
          // Structured for clients that read it, and the same JSON as text for those that do not.
          return { content: [{ type: 'text' as const, text: JSON.stringify(outcome.result) }], structuredContent: outcome.result as Record<string, unknown> };
        } catch (error) {
          const known = error instanceof AppError && error.statusCode < 500;
          if (!known) context.logError(error, tool.name);
          const code = error instanceof AppError ? error.code : 'internal_error';
          const dataset = typeof (input as { dataset?: unknown })?.dataset === 'string' ? (input as { dataset: string }).dataset : undefined;
          await auditToolCall(context, tool.name, 'failure', { error: code, ...(dataset === undefined ? {} : { dataset }) });
          return errorResult(code, known ? error.message : 'the tool failed; try again later');
        }
      },
    );
  }
  return server;
}
