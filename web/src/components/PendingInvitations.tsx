import { useCallback, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { acceptMyInvitation, myInvitations } from '../api/my-invitations.ts';
import type { Membership } from '../api/types.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

interface PendingInvitationsProps {
  onAccepted(membership: Membership): void;
}

/**
 * Invitations sent to the signed-in person's verified address. The mailed link is one way in;
 * this is the other, for someone who signed up or confirmed their address after opening it.
 */
export function PendingInvitations({ onAccepted }: PendingInvitationsProps) {
  const pending = useApiQuery(useCallback(() => myInvitations(), []));
  const [accepting, setAccepting] = useState<string | undefined>();
  const [failure, setFailure] = useState<ApiError | undefined>();
  if (pending.result.state !== 'loaded' || pending.result.value.length === 0) return null;

  async function accept(invitationId: string) {
    setAccepting(invitationId);
    setFailure(undefined);
    try {
      const membership = await acceptMyInvitation(invitationId);
      pending.update((invitations) => invitations.filter((invitation) => invitation.id !== invitationId));
      onAccepted(membership);
    } catch (error) {
      setFailure(toApiError(error));
      pending.reload();
    } finally {
      setAccepting(undefined);
    }
  }

  return (
    <section className="workspace" aria-labelledby="pending-invitations-heading">
      <div className="notice">
        <h2 id="pending-invitations-heading" className="notice-heading">
          Workspace invitations for you
        </h2>
        <ul className="plain-list">
          {pending.result.value.map((invitation) => (
            <li key={invitation.id}>
              <strong>{invitation.workspace.name}</strong> invites you as {invitation.role}.{' '}
              <button type="button" className="button button-primary" onClick={() => accept(invitation.id)} disabled={accepting !== undefined}>
                {accepting === invitation.id ? 'Joining…' : `Join ${invitation.workspace.name}`}
              </button>
            </li>
          ))}
        </ul>
        {failure && <ErrorNotice error={failure} action="accept the invitation" />}
      </div>
    </section>
  );
}
