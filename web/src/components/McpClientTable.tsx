import { Fragment, useState } from 'react';
import type { EnclaveClient } from '../api/client.ts';
import { type McpClient, revokeMcpClient } from '../api/mcp.ts';
import { ConfirmAction } from './ConfirmAction.tsx';
import { DataTable } from './DataTable.tsx';
import { ScopeList } from './ScopeList.tsx';
import { Timestamp } from './Timestamp.tsx';

const COLUMNS = ['AI client', 'Allowed by', 'Allowed to', 'Connected', 'Last used'];

interface McpClientTableProps {
  client: EnclaveClient;
  clients: readonly McpClient[];
  onRevoked(): void;
}

/**
 * AI clients allowed on the consent screen: owners and admins see everyone's, other members their own.
 * Revoking one ends its access and refresh tokens at once (AIC-06).
 */
export function McpClientTable({ client, clients, onRevoked }: McpClientTableProps) {
  const [confirming, setConfirming] = useState<string | undefined>();
  if (clients.length === 0) return <p className="muted">No AI client you can see is connected to this workspace.</p>;
  return (
    <DataTable columns={COLUMNS}>
      {clients.map((connected) => {
        const confirmationId = `revoke-mcp-client-${connected.id}`;
        return (
          <Fragment key={connected.id}>
            <tr data-mcp-client-id={connected.id}>
              <th scope="row">
                {connected.clientName}
                {/* The name is the client's own claim; its id (a URL for a metadata document) is what identifies it. */}
                <span className="table-note">
                  <code className="client-id">{connected.clientId}</code>
                </span>
              </th>
              <td>{connected.userEmail ?? <span className="muted">a former member</span>}</td>
              <td>
                <ScopeList scopes={connected.scopes} />
              </td>
              <td>
                <Timestamp at={connected.createdAt} />
              </td>
              <td>
                <Timestamp at={connected.lastUsedAt} absent="never" />
              </td>
              <td className="table-actions">
                <button
                  type="button"
                  className="button button-small"
                  aria-expanded={confirming === connected.id}
                  aria-controls={confirmationId}
                  onClick={() => setConfirming(connected.id)}
                >
                  Revoke<span className="visually-hidden"> {connected.clientName}</span>
                </button>
              </td>
            </tr>
            {confirming === connected.id && (
              <tr className="confirm-row">
                <td colSpan={COLUMNS.length + 1}>
                  <ConfirmAction
                    id={confirmationId}
                    label={`Confirm revoking ${connected.clientName}`}
                    question={`Revoke “${connected.clientName}”${connected.userEmail === null ? '' : ` for ${connected.userEmail}`}? Its next call fails; to use it again, someone must connect it and allow it anew.`}
                    confirmLabel="Revoke access"
                    busyLabel="Revoking…"
                    action="revoke AI clients"
                    run={() => revokeMcpClient(client, connected.id)}
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
