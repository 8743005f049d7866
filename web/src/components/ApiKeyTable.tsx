import { Fragment, useState } from 'react';
import type { EnclaveClient } from '../api/client.ts';
import type { ApiKey } from '../api/types.ts';
import { ConfirmRevoke } from './ConfirmRevoke.tsx';
import { DataTable } from './DataTable.tsx';
import { Timestamp } from './Timestamp.tsx';

const COLUMNS = ['Name', 'Role', 'Key', 'Created', 'Expires', 'Last used', 'Status'];

interface ApiKeyTableProps {
  client: EnclaveClient;
  apiKeys: readonly ApiKey[];
  /** The key this dashboard is connected with, marked so nobody revokes it by surprise. */
  currentKeyId: string | undefined;
  onRevoked(): void;
}

function status(apiKey: ApiKey, now: number): { label: string; tone: 'success' | 'neutral' | 'danger' } {
  if (apiKey.revokedAt) return { label: 'Revoked', tone: 'danger' };
  if (apiKey.expiresAt && Date.parse(apiKey.expiresAt) <= now) return { label: 'Expired', tone: 'neutral' };
  return { label: 'Active', tone: 'success' };
}

export function ApiKeyTable({ client, apiKeys, currentKeyId, onRevoked }: ApiKeyTableProps) {
  // At most one confirmation open at a time; it gets a full-width row under its key.
  const [confirming, setConfirming] = useState<string | undefined>();
  if (apiKeys.length === 0) return <p className="muted">This workspace has no API keys.</p>;
  const now = Date.now();
  return (
    <DataTable columns={COLUMNS}>
      {apiKeys.map((apiKey) => {
        const shown = status(apiKey, now);
        const active = shown.label === 'Active';
        const inUse = active && apiKey.id === currentKeyId;
        const confirmationId = `revoke-${apiKey.id}`;
        return (
          <Fragment key={apiKey.id}>
            <tr data-key-id={apiKey.id}>
              <th scope="row">
                {apiKey.name}
                {inUse && <span className="badge badge-info">this dashboard</span>}
              </th>
              <td>{apiKey.role}</td>
              <td>
                <code>{apiKey.hint}</code>
              </td>
              <td>
                <Timestamp at={apiKey.createdAt} />
              </td>
              <td>
                <Timestamp at={apiKey.expiresAt} absent="never" />
              </td>
              <td>
                <Timestamp at={apiKey.lastUsedAt} absent="never" />
              </td>
              <td>
                <span className={`badge badge-${shown.tone}`}>{shown.label}</span>
                {apiKey.revokedAt && (
                  <span className="table-note">
                    <Timestamp at={apiKey.revokedAt} />
                  </span>
                )}
              </td>
              <td className="table-actions">
                {active && (
                  <button
                    type="button"
                    className="button button-small"
                    aria-expanded={confirming === apiKey.id}
                    aria-controls={confirmationId}
                    onClick={() => setConfirming(apiKey.id)}
                  >
                    Revoke<span className="visually-hidden"> {apiKey.name}</span>
                  </button>
                )}
              </td>
            </tr>
            {active && confirming === apiKey.id && (
              <tr className="confirm-row">
                {/* Spans the actions column too, which DataTable adds after the named ones. */}
                <td colSpan={COLUMNS.length + 1}>
                  <ConfirmRevoke
                    id={confirmationId}
                    client={client}
                    apiKey={apiKey}
                    inUse={inUse}
                    onRevoked={() => {
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
