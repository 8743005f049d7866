import { z } from 'zod';
import { ROLES } from '../access/permissions.ts';
import { workspaceNameSchema, workspaceSchema } from '../workspaces/schema.ts';

export const roleSchema = z.enum(ROLES);

export const memberSchema = z.strictObject({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Member = z.infer<typeof memberSchema>;

export const changeRoleSchema = z.strictObject({ role: roleSchema });

export const createWorkspaceSchema = z.strictObject({ name: workspaceNameSchema });

/** A workspace as one of its members sees it in their list: with their own role. */
export const membershipSchema = z.strictObject({ ...workspaceSchema.shape, role: roleSchema });
export type Membership = z.infer<typeof membershipSchema>;
