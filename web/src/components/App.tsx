import { useCallback, useEffect, useMemo, useState } from 'react';
import { currentSession } from '../api/account.ts';
import { setupNeeded } from '../api/setup.ts';
import type { ApiError } from '../api/api-error.ts';
import { type Connection, EnclaveClient, fetchHealth } from '../api/client.ts';
import type { Health, Membership, User, Workspace } from '../api/types.ts';
import { consentUidAt } from '../api/oauth-consent.ts';
import { useCurrentPage, useDocumentTitle, OVERVIEW } from '../pages.ts';
import { followReturnPath } from '../return-path.ts';
import { AcceptInvitationPage, takeInvitationToken } from './AcceptInvitationPage.tsx';
import { ConnectForm } from './ConnectForm.tsx';
import { ConsentPage } from './ConsentPage.tsx';
import { DevOutboxPage } from './DevOutboxPage.tsx';
import { ForgotPasswordPage } from './ForgotPasswordPage.tsx';
import { Header } from './Header.tsx';
import { KeyConnectionControls } from './KeyConnectionControls.tsx';
import { ResetPasswordPage } from './ResetPasswordPage.tsx';
import { SetupPage } from './SetupPage.tsx';
import { SignedInShell } from './SignedInShell.tsx';
import { SignInLinkPage } from './SignInLinkPage.tsx';
import { SignInPage } from './SignInPage.tsx';
import { SignUpPage } from './SignUpPage.tsx';
import { WorkspaceView } from './WorkspaceView.tsx';

/** Who the dashboard acts for: nobody yet, a signed-in person (session cookie), or an API key typed in. */
type Access =
  | { kind: 'checking' }
  /** `setup`: the first run, when the server has no account yet, so setup takes the sign-in form's place. */
  | { kind: 'signed-out'; endedBy?: ApiError | undefined; setup?: boolean }
  | { kind: 'person'; user: User }
  | { kind: 'key'; connection: Connection; workspace: Workspace };

export function App() {
  const [health, setHealth] = useState<Health | undefined>();
  const [access, setAccess] = useState<Access>({ kind: 'checking' });
  const { page, open } = useCurrentPage();
  // A mailed invitation link: its token is kept in memory only, until accepted once signed in.
  const [invitationToken, setInvitationToken] = useState(takeInvitationToken);
  const [joinedId, setJoinedId] = useState<string | undefined>();
  const accepted = useCallback(
    (membership: Membership) => {
      setJoinedId(membership.id);
      setInvitationToken(undefined);
      open('overview');
    },
    [open],
  );
  const leaveInvitation = useCallback(() => {
    setInvitationToken(undefined);
    open('overview');
  }, [open]);

  useEffect(() => {
    // The badge and version are a courtesy: when /healthz fails, signing in reports the outage.
    fetchHealth().then(setHealth, () => undefined);
    // An existing session cookie (HttpOnly, so unreadable here) is found by asking who we are.
    currentSession().then(
      ({ user }) => {
        // Already signed in at a sign-in link that names where to go: go there straight away.
        if (!followReturnPath()) setAccess({ kind: 'person', user });
      },
      () =>
        setupNeeded().then(
          (setup) => setAccess({ kind: 'signed-out', setup }),
          () => setAccess({ kind: 'signed-out' }),
        ),
    );
  }, []);

  /** Whoever was acting goes back to the form they came in by, with the server's reason when it ended things. */
  const endAccess = useCallback(
    (form: 'sign-in' | 'connect', endedBy?: ApiError) => {
      setAccess({ kind: 'signed-out', endedBy });
      open(form);
    },
    [open],
  );
  const endSession = useCallback((endedBy?: ApiError) => endAccess('sign-in', endedBy), [endAccess]);

  const keyClient = useMemo(
    () => (access.kind === 'key' ? new EnclaveClient(access.connection, (error) => endAccess('connect', error)) : undefined),
    [access, endAccess],
  );

  const signedOutPage = page.area === 'signed-out' ? page : undefined;
  const keyPage = page.area === 'workspace' ? page : OVERVIEW;
  const titles: Record<Access['kind'], string | undefined> = {
    checking: 'Enclave',
    'signed-out': signedOutPage?.label ?? 'Sign in',
    key: keyPage.label,
    // The signed-in shell names its own pages.
    person: undefined,
  };
  // An AI client's consent screen (AIC-07) has a path of its own per request, and names itself.
  const consentUid = consentUidAt(window.location.pathname);
  useDocumentTitle(consentUid === undefined ? titles[access.kind] : undefined);

  if (consentUid !== undefined) {
    return (
      <div className="app">
        <Header health={health} />
        <ConsentPage uid={consentUid} />
      </div>
    );
  }

  if (page.id === 'dev-outbox') {
    return (
      <div className="app">
        <Header health={health} />
        <DevOutboxPage />
      </div>
    );
  }

  return (
    <div className="app">
      {access.kind === 'person' && invitationToken !== undefined ? (
        <>
          <Header health={health} />
          <AcceptInvitationPage token={invitationToken} onAccepted={accepted} onDone={leaveInvitation} />
        </>
      ) : access.kind === 'person' ? (
        <SignedInShell key={joinedId} user={access.user} health={health} page={page} onOpen={open} onSignedOut={endSession} initialWorkspaceId={joinedId} />
      ) : (
        <Header health={health}>
          {access.kind === 'key' && <KeyConnectionControls workspace={access.workspace} onDisconnect={() => endAccess('connect')} />}
        </Header>
      )}
      {access.kind === 'checking' && (
        <main className="connect">
          <p className="muted">Checking whether you are signed in…</p>
        </main>
      )}
      {access.kind === 'key' && keyClient && (
        <WorkspaceView client={keyClient} workspace={access.workspace} page={keyPage} onOpen={open} />
      )}
      {access.kind === 'signed-out' && invitationToken !== undefined && (
        <p className="notice" role="status">
          You have a workspace invitation. Sign in with the address it was sent to, and it is accepted.
        </p>
      )}
      {access.kind === 'signed-out' &&
        (signedOutPage?.id === 'sign-up' ? (
          <SignUpPage onOpen={open} />
        ) : signedOutPage?.id === 'forgot-password' ? (
          <ForgotPasswordPage onOpen={open} />
        ) : signedOutPage?.id === 'sign-in-link' ? (
          <SignInLinkPage onOpen={open} />
        ) : signedOutPage?.id === 'reset-password' ? (
          <ResetPasswordPage onOpen={open} />
        ) : signedOutPage?.id === 'connect' ? (
          <ConnectForm
            endedBy={access.endedBy}
            onOpen={open}
            onConnected={(connection, workspace) => {
              setAccess({ kind: 'key', connection, workspace });
              open('overview');
            }}
          />
        ) : access.setup ? (
          <SetupPage
            onOpen={open}
            onDone={(user, workspace) => {
              setJoinedId(workspace.id);
              setAccess({ kind: 'person', user });
              open('overview');
            }}
          />
        ) : (
          <SignInPage
            endedBy={access.endedBy}
            onOpen={open}
            onSignedIn={(user) => {
              if (followReturnPath()) return;
              setAccess({ kind: 'person', user });
              if (page.area === 'signed-out') open('overview');
            }}
          />
        ))}
      <footer className="app-footer">
        Enclave{health ? ` ${health.version}` : ''} · every security promise is enforced by code and proven by a test
        {health?.mode === 'development' && (
          <>
            {' · '}
            <a href="/dev/outbox">Development outbox</a>
          </>
        )}
      </footer>
    </div>
  );
}
