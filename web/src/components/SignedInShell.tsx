import { useCallback, useMemo, useState } from 'react';
import { signOut, workspaces as listWorkspaces } from '../api/account.ts';
import { ApiError, toApiError } from '../api/api-error.ts';
import { EnclaveClient } from '../api/client.ts';
import type { Health, User } from '../api/types.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { type Page, type PageId, useDocumentTitle, OVERVIEW } from '../pages.ts';
import { AccountControls } from './AccountControls.tsx';
import { CreateWorkspacePage } from './CreateWorkspacePage.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Header } from './Header.tsx';
import { PendingInvitations } from './PendingInvitations.tsx';
import { SecurityPage } from './SecurityPage.tsx';
import { WorkspaceSwitcher } from './WorkspaceSwitcher.tsx';
import { WorkspaceView } from './WorkspaceView.tsx';
import { YourDataPage } from './YourDataPage.tsx';

interface SignedInShellProps {
  user: User;
  health: Health | undefined;
  page: Page;
  onOpen(id: PageId): void;
  /** The session is over: signed out here, or refused by the server (the reason is then given). */
  onSignedOut(reason?: ApiError): void;
  /** The workspace to open first, such as one just joined through an invitation. */
  initialWorkspaceId?: string | undefined;
}

/** The dashboard for a signed-in person: their workspaces, the open one's pages, and their own account. */
export function SignedInShell({ user, health, page, onOpen, onSignedOut, initialWorkspaceId }: SignedInShellProps) {
  const workspaces = useApiQuery(useCallback(() => listWorkspaces(), []));
  const [selectedId, setSelectedId] = useState<string | undefined>(initialWorkspaceId);
  const [signingOut, setSigningOut] = useState(false);
  const [signOutFailure, setSignOutFailure] = useState<ApiError | undefined>();
  // IDN-05: a workspace refused this person for want of two-factor authentication; nothing else opens until it is set up.
  const [mfaStop, setMfaStop] = useState<{ workspaceId: string; satisfied: boolean } | undefined>();
  const list = workspaces.result.state === 'loaded' ? workspaces.result.value : [];
  const selected = list.find((workspace) => workspace.id === selectedId) ?? list[0];

  const client = useMemo(
    () =>
      selected
        ? new EnclaveClient(
            { workspaceId: selected.id },
            (error) => onSignedOut(error),
            () => {
              setMfaStop({ workspaceId: selected.id, satisfied: false });
              onOpen('security');
            },
          )
        : undefined,
    [selected, onSignedOut, onOpen],
  );
  const mfaRequirement = mfaStop && {
    workspaceName: list.find((workspace) => workspace.id === mfaStop.workspaceId)?.name ?? 'This workspace',
    satisfied: mfaStop.satisfied,
    onEnabled: () => setMfaStop((stop) => stop && { ...stop, satisfied: true }),
    onContinue: () => {
      setMfaStop(undefined);
      onOpen('overview');
    },
  };
  // Even once satisfied it stays until the person continues: the backup codes are on screen only there.
  const showSecurity = page.id === 'security' || mfaStop !== undefined;

  async function leave() {
    setSigningOut(true);
    setSignOutFailure(undefined);
    try {
      await signOut();
      onSignedOut();
    } catch (error) {
      // The cookie may still be valid on the server, so this browser must not look signed out.
      setSignOutFailure(toApiError(error));
      setSigningOut(false);
    }
  }

  const firstRun = workspaces.result.state === 'loaded' && list.length === 0;
  const creating = page.id === 'new-workspace' || firstRun;
  const workspacePage = page.area === 'workspace' ? page : OVERVIEW;
  const title = creating ? (firstRun ? 'Welcome' : page.label) : `${workspacePage.label} · ${selected?.name ?? 'Workspaces'}`;
  useDocumentTitle(showSecurity ? 'Security' : page.id === 'your-data' ? page.label : title);

  return (
    <>
      <Header health={health}>
        {workspaces.result.state === 'loaded' && (
          <WorkspaceSwitcher
            workspaces={list}
            selectedId={selected?.id}
            onSelect={(id) => {
              setSelectedId(id);
              setMfaStop(undefined);
              if (page.area !== 'workspace') onOpen('overview');
            }}
            onOpen={onOpen}
          />
        )}
        <AccountControls user={user} signingOut={signingOut} onOpen={onOpen} onSignOut={leave} />
      </Header>
      {signOutFailure && (
        <div className="workspace">
          <ErrorNotice error={signOutFailure} heading="You are still signed in" action="sign out" />
        </div>
      )}
      <PendingInvitations
        onAccepted={(joined) => {
          workspaces.update((known) => [...known, joined]);
          setSelectedId(joined.id);
          onOpen('overview');
        }}
      />
      {showSecurity ? (
        <SecurityPage user={user} onSignedOut={() => onSignedOut()} mfaRequirement={mfaRequirement} />
      ) : page.id === 'your-data' ? (
        <YourDataPage user={user} onClosed={() => onSignedOut(new ApiError({ status: 401, code: 'account_closed', message: 'your account was closed' }))} />
      ) : workspaces.result.state === 'loading' ? (
        <main className="workspace">
          <p className="muted">Loading your workspaces…</p>
        </main>
      ) : workspaces.result.state === 'failed' ? (
        <main className="workspace">
          <ErrorNotice error={workspaces.result.error} action="list your workspaces" />
        </main>
      ) : creating || !selected || !client ? (
        <CreateWorkspacePage
          key={firstRun ? 'first' : 'new'}
          firstRun={firstRun}
          onCreated={(created) => {
            workspaces.update((known) => [...known, created]);
            setSelectedId(created.id);
            onOpen('overview');
          }}
        />
      ) : (
        <WorkspaceView
          key={selected.id}
          client={client}
          workspace={selected}
          page={workspacePage}
          onOpen={onOpen}
          role={selected.role}
          userId={user.id}
          onDeleted={(deleted) => {
            workspaces.update((known) => known.filter((workspace) => workspace.id !== deleted.id));
            setSelectedId(undefined);
            onOpen('overview');
          }}
        />
      )}
    </>
  );
}
