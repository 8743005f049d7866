import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../../identity/schema.ts';

/** DAT-03: closing one's own account is confirmed with the current password and the address typed out. */
export const closeAccountSchema = z.strictObject({
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  confirm: z.string().min(1).max(320),
});

export type CloseAccountInput = z.infer<typeof closeAccountSchema>;

export const closedAccountSchema = z.strictObject({
  status: z.literal('closed'),
  /** Workspaces only this person belonged to, now deleted (restorable for the retention period). */
  workspacesDeleted: z.array(z.string()),
  /** How many workspaces they left, which go on with their other members. */
  workspacesLeft: z.number().int(),
});

export type ClosedAccount = z.infer<typeof closedAccountSchema>;
