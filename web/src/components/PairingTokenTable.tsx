import { Fragment, useState } from 'react';
import { deletePairingToken, type PairingToken } from '../api/agents.ts';
import type { EnclaveClient } from '../api/client.ts';
import { ConfirmAction } from './ConfirmAction.tsx';
import { DataTable } from './DataTable.tsx';
import { Timestamp } from './Timestamp.tsx';

const COLUMNS = ['Name', 'Created', 'Expires'];

interface PairingTokenTableProps {
  client: EnclaveClient;
  pairingTokens: readonly PairingToken[];
  onRevoked(): void;
}

/** Tokens created but not used yet: each could still pair an agent, so each can be revoked. */
export function PairingTokenTable({ client, pairingTokens, onRevoked }: PairingTokenTableProps) {
  const [confirming, setConfirming] = useState<string | undefined>();
  if (pairingTokens.length === 0) return <p className="muted">No pairing token is waiting to be used.</p>;
  return (
    <DataTable columns={COLUMNS}>
      {pairingTokens.map((token) => {
        const confirmationId = `revoke-${token.id}`;
        return (
          <Fragment key={token.id}>
            <tr data-pairing-token-id={token.id}>
              <th scope="row">{token.name}</th>
              <td>
                <Timestamp at={token.createdAt} />
              </td>
              <td>
                <Timestamp at={token.expiresAt} />
              </td>
              <td className="table-actions">
                <button
                  type="button"
                  className="button button-small"
                  aria-expanded={confirming === token.id}
                  aria-controls={confirmationId}
                  onClick={() => setConfirming(token.id)}
                >
                  Revoke<span className="visually-hidden"> pairing token {token.name}</span>
                </button>
              </td>
            </tr>
            {confirming === token.id && (
              <tr className="confirm-row">
                <td colSpan={COLUMNS.length + 1}>
                  <ConfirmAction
                    id={confirmationId}
                    label={`Confirm revoking pairing token ${token.name}`}
                    question={`Revoke the pairing token “${token.name}”? No agent can pair with it any more.`}
                    confirmLabel="Revoke token"
                    busyLabel="Revoking…"
                    action="revoke pairing tokens"
                    run={() => deletePairingToken(client, token.id)}
                    onDone={() => {
                      setConfirming(undefined);
                      onRevoked();
                    }}
                    onCancel={() => setConfirming(undefined)}
                  />
                </td>
              </tr>
            )}
          </Fragment>
        );
      })}
    </DataTable>
  );
}
