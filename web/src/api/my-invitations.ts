import { call } from './client.ts';
import type { Invitation, Membership } from './types.ts';

export interface PendingInvitation extends Invitation {
  workspace: { id: string; name: string };
}

/** Invitations waiting for the signed-in person's verified address. */
export async function myInvitations(): Promise<PendingInvitation[]> {
  return (await call<{ invitations: PendingInvitation[] }>('/api/invitations')).invitations;
}

export function acceptMyInvitation(invitationId: string): Promise<Membership> {
  return call<Membership>(`/api/invitations/${encodeURIComponent(invitationId)}/accept`, { method: 'POST' });
}
