import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../api/api-error.ts';
import { type Connection, EnclaveClient, fetchHealth } from '../api/client.ts';
import type { Health, Workspace } from '../api/types.ts';
import { useCurrentPage } from '../pages.ts';
import { ConnectForm } from './ConnectForm.tsx';
import { Header } from './Header.tsx';
import { WorkspaceView } from './WorkspaceView.tsx';

interface Session {
  connection: Connection;
  workspace: Workspace;
}

export function App() {
  const [health, setHealth] = useState<Health | undefined>();
  const [session, setSession] = useState<Session | undefined>();
  const [endedBy, setEndedBy] = useState<ApiError | undefined>();
  const { page, open } = useCurrentPage();

  useEffect(() => {
    // The badge and version are a courtesy: when /healthz fails, connecting reports the outage.
    fetchHealth().then(setHealth, () => undefined);
  }, []);

  const disconnect = useCallback((reason?: ApiError) => {
    setSession(undefined);
    setEndedBy(reason);
  }, []);

  const client = useMemo(
    () => (session ? new EnclaveClient(session.connection, (error) => disconnect(error)) : undefined),
    [session, disconnect],
  );

  return (
    <div className="app">
      <Header health={health} workspace={session?.workspace} onDisconnect={() => disconnect()} />
      {client && session ? (
        <WorkspaceView client={client} workspace={session.workspace} page={page} onOpen={open} />
      ) : (
        <ConnectForm
          endedBy={endedBy}
          onConnected={(connection, workspace) => {
            setEndedBy(undefined);
            setSession({ connection, workspace });
          }}
        />
      )}
      <footer className="app-footer">
        Enclave{health ? ` ${health.version}` : ''} · every security promise is enforced by code and proven by a test
      </footer>
    </div>
  );
}
