import { z } from 'zod';
import { idPattern } from '../core/ids.ts';
import { emailSchema } from '../identity/schema.ts';
import { roleSchema } from '../members/schema.ts';

export const invitationIdSchema = z.string().regex(idPattern('inv'), 'must be an invitation id');

/** Invitation tokens are 32 random bytes in base64url; anything else is refused before a lookup. */
export const invitationTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be an invitation token');

export const createInvitationSchema = z.strictObject({ email: emailSchema, role: roleSchema });
export type CreateInvitation = z.infer<typeof createInvitationSchema>;

export const acceptInvitationSchema = z.strictObject({ token: invitationTokenSchema });

/** An invitation as managers see it: never its token, which exists only in the mail. */
export const invitationSchema = z.strictObject({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type Invitation = z.infer<typeof invitationSchema>;

/** An invitation as the invited person sees it: which workspace, with what role. */
export const pendingInvitationSchema = z.strictObject({
  ...invitationSchema.shape,
  workspace: z.strictObject({ id: z.string(), name: z.string() }),
});
export type PendingInvitation = z.infer<typeof pendingInvitationSchema>;
