import { type FormEvent, useCallback, useMemo, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { type CreatedScimToken, type ScimToken, ScimTokensClient } from '../api/scim.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { DataTable } from './DataTable.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { SecretField } from './SecretField.tsx';
import { SecretNotice } from './SecretNotice.tsx';
import { TextField } from './TextField.tsx';
import { Timestamp } from './Timestamp.tsx';

const COLUMNS = ['Name', 'Token', 'Created', 'Last used', 'Status'];

/**
 * For owners (IDN-06): tokens for the organisation's identity provider to provision people
 * over SCIM. A deactivated or deleted person is signed out everywhere at once.
 */
export function ScimSection({ workspaceId }: { workspaceId: string }) {
  const client = useMemo(() => new ScimTokensClient(workspaceId), [workspaceId]);
  const tokens = useApiQuery(useCallback(() => client.list(), [client]));
  // Held only while this page is open: leaving it drops the one copy the browser has.
  const [created, setCreated] = useState<CreatedScimToken | undefined>();

  return (
    <section className="card" aria-labelledby="scim-heading">
      <h2 id="scim-heading">User provisioning (SCIM)</h2>
      <p className="muted">
        Give your identity provider the SCIM base URL <code>{`${window.location.origin}/scim/v2`}</code> and a token. It can then add
        people to this workspace, change their role (never to owner) and deactivate them; a deactivated person is signed out everywhere
        at once.
      </p>
      {created && <NewScimToken created={created} onDismiss={() => setCreated(undefined)} />}
      <CreateScimTokenForm
        client={client}
        onCreated={(token) => {
          setCreated(token);
          tokens.reload();
        }}
      />
      {tokens.result.state === 'loading' && <p className="muted">Loading SCIM tokens…</p>}
      {tokens.result.state === 'failed' && <ErrorNotice error={tokens.result.error} action="manage SCIM tokens" />}
      {tokens.result.state === 'loaded' && <ScimTokenTable client={client} tokens={tokens.result.value} onRevoked={tokens.reload} />}
    </section>
  );
}

function CreateScimTokenForm({ client, onCreated }: { client: ScimTokensClient; onCreated(created: CreatedScimToken): void }) {
  const [name, setName] = useState('');
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      const created = await client.create(name);
      setName('');
      onCreated(created);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form form-row" onSubmit={create} noValidate aria-label="Create a SCIM token">
      <TextField
        id="scim-token-name"
        label="Token name"
        messages={failure?.problemsWith('name') ?? []}
        name="name"
        value={name}
        placeholder="for example: Okta"
        onChange={(event) => setName(event.target.value)}
        autoComplete="off"
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create SCIM token'}
        </button>
      </div>
      {failure && <ErrorNotice error={failure} action="create SCIM tokens" fieldLabels={{ name: 'Token name' }} />}
    </form>
  );
}

/** The one and only time a SCIM token is on screen; the server keeps nothing but its hash. */
function NewScimToken({ created, onDismiss }: { created: CreatedScimToken; onDismiss(): void }) {
  return (
    <SecretNotice
      headingId="new-scim-token-heading"
      headingLevel="h3"
      heading={<>Copy the SCIM token “{created.scimToken.name}” now</>}
      dismissLabel="I have stored the token"
      onDismiss={onDismiss}
    >
      <p>
        <strong>You will not see this token again.</strong> Paste it into your identity provider’s provisioning settings.
      </p>
      <SecretField id="new-scim-token" label="New SCIM token" value={created.token} />
    </SecretNotice>
  );
}

function ScimTokenTable({ client, tokens, onRevoked }: { client: ScimTokensClient; tokens: readonly ScimToken[]; onRevoked(): void }) {
  const [failure, setFailure] = useState<ApiError | undefined>();
  // Revoking stops the identity provider's provisioning at once, so it takes a second click.
  const [confirming, setConfirming] = useState<string | undefined>();
  if (tokens.length === 0) return <p className="muted">This workspace has no SCIM tokens.</p>;

  async function revoke(token: ScimToken) {
    setFailure(undefined);
    try {
      await client.revoke(token.id);
      setConfirming(undefined);
      onRevoked();
    } catch (error) {
      setFailure(toApiError(error));
    }
  }

  return (
    <>
      <DataTable columns={COLUMNS}>
        {tokens.map((token) => (
          <tr key={token.id} data-scim-token-id={token.id}>
            <th scope="row">{token.name}</th>
            <td>
              <code>{token.hint}</code>
            </td>
            <td>
              <Timestamp at={token.createdAt} />
            </td>
            <td>
              <Timestamp at={token.lastUsedAt} absent="never" />
            </td>
            <td>
              <span className={`badge badge-${token.revokedAt ? 'danger' : 'success'}`}>{token.revokedAt ? 'Revoked' : 'Active'}</span>
            </td>
            <td className="table-actions">
              {!token.revokedAt && confirming !== token.id && (
                <button type="button" className="button button-small" onClick={() => setConfirming(token.id)}>
                  Revoke<span className="visually-hidden"> {token.name}</span>
                </button>
              )}
              {!token.revokedAt && confirming === token.id && (
                <>
                  <button type="button" className="button button-small button-danger" onClick={() => void revoke(token)}>
                    Stop provisioning<span className="visually-hidden"> with {token.name}</span>
                  </button>
                  <button type="button" className="button button-small button-quiet" onClick={() => setConfirming(undefined)}>
                    Cancel
                  </button>
                </>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {failure && <ErrorNotice error={failure} action="revoke SCIM tokens" />}
    </>
  );
}
