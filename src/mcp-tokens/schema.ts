import { z } from 'zod';
import { idPattern } from '../core/ids.ts';
import { MCP_SCOPE_NAMES } from '../mcp/scopes.ts';

const scopeSchema = z.enum(MCP_SCOPE_NAMES as [(typeof MCP_SCOPE_NAMES)[number], ...(typeof MCP_SCOPE_NAMES)[number][]]);

export const mcpTokenIdSchema = z.string().regex(idPattern('mcpt'), 'must be an MCP token id');

export const createMcpTokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** AIC-07: what the token may do; at least one scope, each at most once. */
  scopes: z.array(scopeSchema).min(1).max(MCP_SCOPE_NAMES.length).refine((scopes) => new Set(scopes).size === scopes.length, 'each scope at most once'),
  /** At most a year ahead; without it the token lasts until revoked. */
  expiresAt: z.iso.datetime().optional(),
});
export type CreateMcpTokenInput = z.infer<typeof createMcpTokenSchema>;

export const mcpTokenSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  scopes: z.array(scopeSchema),
  hint: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type McpToken = z.infer<typeof mcpTokenSchema>;

export const createdMcpTokenSchema = z.strictObject({
  mcpToken: mcpTokenSchema,
  /** Shown exactly once (AIC-05); only its SHA-256 is stored. */
  token: z.string(),
});
