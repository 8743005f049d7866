import { useCallback, useEffect, useMemo, useState } from 'react';
import { currentSession } from '../api/account.ts';
import type { ApiError } from '../api/api-error.ts';
import { type Connection, EnclaveClient, fetchHealth } from '../api/client.ts';
import type { Health, User, Workspace } from '../api/types.ts';
import { useCurrentPage, useDocumentTitle, OVERVIEW } from '../pages.ts';
import { ConnectForm } from './ConnectForm.tsx';
import { Header } from './Header.tsx';
import { KeyConnectionControls } from './KeyConnectionControls.tsx';
import { SignedInShell } from './SignedInShell.tsx';
import { SignInPage } from './SignInPage.tsx';
import { SignUpPage } from './SignUpPage.tsx';
import { WorkspaceView } from './WorkspaceView.tsx';

/** Who the dashboard acts for: nobody yet, a signed-in person (session cookie), or an API key typed in. */
type Access =
  | { kind: 'checking' }
  | { kind: 'signed-out'; endedBy?: ApiError | undefined }
  | { kind: 'person'; user: User }
  | { kind: 'key'; connection: Connection; workspace: Workspace };

export function App() {
  const [health, setHealth] = useState<Health | undefined>();
  const [access, setAccess] = useState<Access>({ kind: 'checking' });
  const { page, open } = useCurrentPage();

  useEffect(() => {
    // The badge and version are a courtesy: when /healthz fails, signing in reports the outage.
    fetchHealth().then(setHealth, () => undefined);
    // An existing session cookie (HttpOnly, so unreadable here) is found by asking who we are.
    currentSession().then(
      ({ user }) => setAccess({ kind: 'person', user }),
      () => setAccess({ kind: 'signed-out' }),
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
  useDocumentTitle(titles[access.kind]);

  return (
    <div className="app">
      {access.kind === 'person' ? (
        <SignedInShell user={access.user} health={health} page={page} onOpen={open} onSignedOut={endSession} />
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
      {access.kind === 'signed-out' &&
        (signedOutPage?.id === 'sign-up' ? (
          <SignUpPage onOpen={open} />
        ) : signedOutPage?.id === 'connect' ? (
          <ConnectForm
            endedBy={access.endedBy}
            onOpen={open}
            onConnected={(connection, workspace) => {
              setAccess({ kind: 'key', connection, workspace });
              open('overview');
            }}
          />
        ) : (
          <SignInPage
            endedBy={access.endedBy}
            onOpen={open}
            onSignedIn={(user) => {
              setAccess({ kind: 'person', user });
              if (page.area === 'signed-out') open('overview');
            }}
          />
        ))}
      <footer className="app-footer">
        Enclave{health ? ` ${health.version}` : ''} · every security promise is enforced by code and proven by a test
      </footer>
    </div>
  );
}
