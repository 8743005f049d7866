import { Fragment, useState } from 'react';
import type { EnclaveClient } from '../api/client.ts';
import { type McpToken, revokeMcpToken } from '../api/mcp.ts';
import { ConfirmAction } from './ConfirmAction.tsx';
import { DataTable } from './DataTable.tsx';
import { ScopeList } from './ScopeList.tsx';
import { Timestamp } from './Timestamp.tsx';

const COLUMNS = ['Name', 'Allowed to', 'Token', 'Created', 'Expires', 'Last used', 'Status'];

interface McpTokenTableProps {
  client: EnclaveClient;
  tokens: readonly McpToken[];
  onRevoked(): void;
}

function status(token: McpToken, now: number): { label: string; tone: 'success' | 'neutral' | 'danger' } {
  if (token.revokedAt) return { label: 'Revoked', tone: 'danger' };
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return { label: 'Expired', tone: 'neutral' };
  return { label: 'Active', tone: 'success' };
}

/** Personal MCP tokens (AIC-05): only the hint identifies each one, and an active one can be revoked at once (AIC-06). */
export function McpTokenTable({ client, tokens, onRevoked }: McpTokenTableProps) {
  const [confirming, setConfirming] = useState<string | undefined>();
  if (tokens.length === 0) return <p className="muted">You have no personal MCP tokens in this workspace.</p>;
  const now = Date.now();
  return (
    <DataTable columns={COLUMNS}>
      {tokens.map((token) => {
        const shown = status(token, now);
        const active = shown.label === 'Active';
        const confirmationId = `revoke-mcp-token-${token.id}`;
        return (
          <Fragment key={token.id}>
            <tr data-mcp-token-id={token.id}>
              <th scope="row">{token.name}</th>
              <td>
                <ScopeList scopes={token.scopes} />
              </td>
              <td>
                <code>{token.hint}</code>
              </td>
              <td>
                <Timestamp at={token.createdAt} />
              </td>
              <td>
                <Timestamp at={token.expiresAt} absent="never" />
              </td>
              <td>
                <Timestamp at={token.lastUsedAt} absent="never" />
              </td>
              <td>
                <span className={`badge badge-${shown.tone}`}>{shown.label}</span>
                {token.revokedAt && (
                  <span className="table-note">
                    <Timestamp at={token.revokedAt} />
                  </span>
                )}
              </td>
              <td className="table-actions">
                {active && (
                  <button
                    type="button"
                    className="button button-small"
                    aria-expanded={confirming === token.id}
                    aria-controls={confirmationId}
                    onClick={() => setConfirming(token.id)}
                  >
                    Revoke<span className="visually-hidden"> {token.name}</span>
                  </button>
                )}
              </td>
            </tr>
            {active && confirming === token.id && (
              <tr className="confirm-row">
                <td colSpan={COLUMNS.length + 1}>
                  <ConfirmAction
                    id={confirmationId}
                    label={`Confirm revoking ${token.name}`}
                    question={`Revoke the MCP token “${token.name}”? The next call made with it fails, and it cannot be undone.`}
                    confirmLabel="Revoke token"
                    busyLabel="Revoking…"
                    action="revoke personal MCP tokens"
                    run={() => revokeMcpToken(client, token.id)}
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
