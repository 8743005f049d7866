import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { type Connection, EnclaveClient } from '../api/client.ts';
import type { Workspace } from '../api/types.ts';
import type { PageId } from '../pages.ts';
import { AppLink } from './AppLink.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { TextField } from './TextField.tsx';

const WORKSPACE_ID = /^ws_[0-9a-f]{32}$/;
const API_KEY = /^enk_\S+$/;

interface ConnectFormProps {
  /** Why the last connection ended, when the server stopped accepting its key. */
  endedBy: ApiError | undefined;
  onConnected(connection: Connection, workspace: Workspace): void;
  onOpen(id: PageId): void;
}

/** Checks the shape locally so a typo gets a precise message instead of a generic 401 or 404. */
function formatProblems(connection: Required<Connection>): { workspaceId: string[]; apiKey: string[] } {
  return {
    workspaceId: WORKSPACE_ID.test(connection.workspaceId) ? [] : ['A workspace id is ws_ followed by 32 lower-case hexadecimal characters.'],
    apiKey: API_KEY.test(connection.apiKey) ? [] : ['A workspace API key starts with enk_.'],
  };
}

export function ConnectForm({ endedBy, onConnected, onOpen }: ConnectFormProps) {
  const [workspaceId, setWorkspaceId] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [problems, setProblems] = useState<{ workspaceId: string[]; apiKey: string[] }>({ workspaceId: [], apiKey: [] });
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [connecting, setConnecting] = useState(false);

  async function connect(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const connection = { workspaceId: workspaceId.trim(), apiKey: apiKey.trim() };
    const found = formatProblems(connection);
    setProblems(found);
    setFailure(undefined);
    if (found.workspaceId.length > 0 || found.apiKey.length > 0) return;
    setConnecting(true);
    try {
      const workspace = await new EnclaveClient(connection).workspace();
      onConnected(connection, workspace);
    } catch (error) {
      setFailure(toApiError(error));
      setConnecting(false);
    }
  }

  return (
    <main className="connect" aria-labelledby="connect-heading">
      <section className="card connect-card">
        <h1 id="connect-heading">Connect to a workspace</h1>
        <p className="lead">
          Paste the workspace id and an API key for it. The dashboard then acts with that key's role, as a script would,
          which is handy for checking what an automation key can see.
        </p>
        <p className="field-note">
          No key yet? On the server, <code>enclave workspaces create</code> prints a workspace id and{' '}
          <code>enclave api-keys create</code> prints a key for it.
        </p>
        {endedBy && (
          <ErrorNotice error={endedBy} heading="You were disconnected" />
        )}
        <form className="form" onSubmit={connect} noValidate>
          <TextField
            id="connect-workspace-id"
            label="Workspace id"
            messages={problems.workspaceId}
            name="workspaceId"
            className="input-mono"
            value={workspaceId}
            onChange={(event) => setWorkspaceId(event.target.value)}
            placeholder="ws_…"
            autoComplete="off"
            spellCheck={false}
          />
          <TextField
            id="connect-api-key"
            label="API key"
            note="The key is kept in this tab's memory only, never in browser storage: reloading or closing the tab forgets it."
            messages={problems.apiKey}
            name="apiKey"
            type="password"
            className="input-mono"
            value={apiKey}
            onChange={(event) => setApiKey(event.target.value)}
            placeholder="enk_…"
            autoComplete="off"
            spellCheck={false}
          />
          {failure && <ErrorNotice error={failure} action="open this workspace" />}
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={connecting}>
              {connecting ? 'Connecting…' : 'Connect'}
            </button>
          </div>
        </form>
        <p className="connect-alternative">
          Have an account?{' '}
          <AppLink to="sign-in" onOpen={onOpen}>
            Sign in with your email address instead
          </AppLink>
        </p>
      </section>
    </main>
  );
}
