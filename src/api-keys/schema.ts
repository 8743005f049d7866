import { z } from 'zod';
import { ROLES } from '../access/permissions.ts';
import { idPattern } from '../core/ids.ts';

export const apiKeyIdSchema = z.string().regex(idPattern('key'), 'must be an API key id');

export const createApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  expiresAt: z.iso.datetime().optional(),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;

export const apiKeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  hint: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const createdApiKeySchema = z.strictObject({
  apiKey: apiKeySchema,
  /** Shown exactly once; only its SHA-256 is stored. */
  token: z.string(),
});
