import { useEffect, useRef, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { acceptInvitation } from '../api/client.ts';
import type { Membership } from '../api/types.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

/** The path a mailed invitation link opens; its token is read once into memory and taken out of the address bar. */
export const ACCEPT_INVITATION_PATH = '/invitations/accept';

/**
 * Reads the token of an invitation link, then takes it out of the address bar (and so out of the
 * browser history). It lives only in memory from then on, never in browser storage.
 */
export function takeInvitationToken(): string | undefined {
  if (window.location.pathname !== ACCEPT_INVITATION_PATH) return undefined;
  const token = new URLSearchParams(window.location.search).get('token') ?? undefined;
  window.history.replaceState(null, '', ACCEPT_INVITATION_PATH);
  return token;
}

interface AcceptInvitationPageProps {
  token: string;
  onAccepted(membership: Membership): void;
  onDone(): void;
}

/** For a signed-in person who followed an invitation link: accepts it once, then the workspace opens. */
export function AcceptInvitationPage({ token, onAccepted, onDone }: AcceptInvitationPageProps) {
  const [failure, setFailure] = useState<ApiError | undefined>();
  // One attempt per token, even where React runs an effect twice.
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    acceptInvitation(token).then(onAccepted, (error: unknown) => setFailure(toApiError(error)));
  }, [token, onAccepted]);

  return (
    <main className="workspace">
      <h1>Workspace invitation</h1>
      {failure ? (
        <>
          <ErrorNotice error={failure} heading="The invitation could not be accepted" action="accept this invitation" />
          <p className="muted">Ask whoever invited you for a new invitation, and sign in with the address it is sent to.</p>
          <button type="button" className="button" onClick={onDone}>
            Go to your workspaces
          </button>
        </>
      ) : (
        <p className="muted" role="status">
          Accepting the invitation…
        </p>
      )}
    </main>
  );
}
