import { z } from 'zod';
import { idPattern } from '../core/ids.ts';

export const workspaceIdSchema = z.string().regex(idPattern('ws'), 'must be a workspace id');

export const workspaceNameSchema = z.string().trim().min(1).max(100);

export const workspaceSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
});
export type Workspace = z.infer<typeof workspaceSchema>;

export const profileSchema = z.strictObject({
  workspaceId: z.string(),
  displayName: z.string(),
  description: z.string(),
  updatedAt: z.string(),
});
export type Profile = z.infer<typeof profileSchema>;

export const updateProfileSchema = z
  .strictObject({
    displayName: z.string().trim().min(1).max(100).optional(),
    description: z.string().max(2000).optional(),
  })
  .refine((patch) => patch.displayName !== undefined || patch.description !== undefined, {
    message: 'give displayName, description or both',
  });
export type ProfileUpdate = z.infer<typeof updateProfileSchema>;
