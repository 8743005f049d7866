import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import { type CreatedMcpToken, createMcpToken, MCP_SCOPES } from '../api/mcp.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { ScopeChoices } from './ScopeChoices.tsx';
import { TextField } from './TextField.tsx';

const FIELD_LABELS = { name: 'Name', scopes: 'Allowed to', expiresAt: 'Expires on' };

interface CreateMcpTokenFormProps {
  client: EnclaveClient;
  onCreated(created: CreatedMcpToken): void;
}

/** A date picked in the form means "usable through that whole day", in UTC like every time the server keeps. */
function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59.999Z`).toISOString();
}

export function CreateMcpTokenForm({ client, onCreated }: CreateMcpTokenFormProps) {
  const [name, setName] = useState('');
  // Least privilege by default: a new token may only read until someone chooses more.
  const [scopes, setScopes] = useState<string[]>(['datasets:read']);
  const [expiresOn, setExpiresOn] = useState('');
  const [noScope, setNoScope] = useState(false);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [creating, setCreating] = useState(false);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(undefined);
    setNoScope(scopes.length === 0);
    if (scopes.length === 0) return;
    setCreating(true);
    try {
      const created = await createMcpToken(client, { name, scopes, ...(expiresOn ? { expiresAt: endOfDay(expiresOn) } : {}) });
      setName('');
      setExpiresOn('');
      onCreated(created);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setCreating(false);
    }
  }

  const scopeProblems = [...(noScope ? ['Choose at least one thing the token may do.'] : []), ...(failure?.problemsWith('scopes') ?? [])];
  const expiryProblems = [
    ...(failure?.problemsWith('expiresAt') ?? []),
    ...(failure?.code === 'invalid_expiry' ? [failure.message] : []),
  ];

  return (
    <form className="form" onSubmit={create} noValidate>
      <TextField
        id="new-mcp-token-name"
        label={FIELD_LABELS.name}
        messages={failure?.problemsWith('name') ?? []}
        name="name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        placeholder="for example: laptop assistant"
        autoComplete="off"
      />
      <ScopeChoices
        id="new-mcp-token-scopes"
        legend={FIELD_LABELS.scopes}
        scopes={MCP_SCOPES}
        chosen={scopes}
        onChange={setScopes}
        messages={scopeProblems}
      />
      <TextField
        id="new-mcp-token-expires"
        label={
          <>
            {FIELD_LABELS.expiresAt} <span className="muted">(optional)</span>
          </>
        }
        messages={expiryProblems}
        name="expiresOn"
        type="date"
        value={expiresOn}
        onChange={(event) => setExpiresOn(event.target.value)}
      />
      {failure && <ErrorNotice error={failure} action="create personal MCP tokens" fieldLabels={FIELD_LABELS} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={creating}>
          {creating ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}
