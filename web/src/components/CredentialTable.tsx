import { Fragment, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import { type Credential, deleteCredential, updateCredential } from '../api/credentials.ts';
import { DataTable } from './DataTable.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Timestamp } from './Timestamp.tsx';

const COLUMNS = ['Name', 'Kind', 'Secret', 'Allowed workflows', 'Updated', 'Status'];

interface CredentialTableProps {
  client: EnclaveClient;
  credentials: readonly Credential[];
  onChanged(): void;
}

function scopeText(credential: Credential): string {
  if (credential.scopes.length === 0) return 'none yet';
  return credential.scopes.map((scope) => (scope.node ? `${scope.workflow} / ${scope.node}` : scope.workflow)).join(', ');
}

export function CredentialTable({ client, credentials, onChanged }: CredentialTableProps) {
  const [confirming, setConfirming] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [failure, setFailure] = useState<ApiError | undefined>();
  if (credentials.length === 0) return <p className="muted">No credentials yet. Add the first one above; workflows use it only where you allow.</p>;

  async function act(id: string, action: () => Promise<unknown>) {
    setBusy(id);
    setFailure(undefined);
    try {
      await action();
      setConfirming(undefined);
      onChanged();
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <>
      <DataTable columns={COLUMNS}>
        {credentials.map((credential) => (
          <Fragment key={credential.id}>
            <tr>
              <th scope="row">{credential.name}</th>
              <td>{credential.preset ?? credential.kind}</td>
              <td>
                <code>{credential.hint}</code>
              </td>
              <td>{scopeText(credential)}</td>
              <td>
                <Timestamp at={credential.updatedAt} />
              </td>
              <td>
                <span className={`badge badge-${credential.disabled ? 'neutral' : 'success'}`}>{credential.disabled ? 'Disabled' : 'Active'}</span>
              </td>
              <td className="table-actions">
                <button type="button" className="button button-small" disabled={busy === credential.id} onClick={() => act(credential.id, () => updateCredential(client, credential.id, { disabled: !credential.disabled }))}>
                  {credential.disabled ? 'Enable' : 'Disable'}
                  <span className="visually-hidden"> {credential.name}</span>
                </button>
                <button type="button" className="button button-small" aria-expanded={confirming === credential.id} onClick={() => setConfirming(credential.id)}>
                  Delete<span className="visually-hidden"> {credential.name}</span>
                </button>
              </td>
            </tr>
            {confirming === credential.id && (
              <tr className="confirm-row">
                <td colSpan={COLUMNS.length + 1}>
                  <div className="confirm" role="group" aria-label={`Confirm deleting ${credential.name}`}>
                    <p className="confirm-question">Delete “{credential.name}”? Workflows using it fail from their next run, and it cannot be undone.</p>
                    <div className="confirm-actions">
                      <button type="button" className="button button-danger" disabled={busy === credential.id} onClick={() => act(credential.id, () => deleteCredential(client, credential.id))}>
                        Delete credential
                      </button>
                      <button type="button" className="button" onClick={() => setConfirming(undefined)}>
                        Keep it
                      </button>
                    </div>
                  </div>
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </DataTable>
      {failure && <ErrorNotice error={failure} action="change the credential" />}
    </>
  );
}
