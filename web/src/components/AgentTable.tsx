import { Fragment, useState } from 'react';
import { type Agent, revokeAgent } from '../api/agents.ts';
import type { EnclaveClient } from '../api/client.ts';
import { ConfirmAction } from './ConfirmAction.tsx';
import { DataTable } from './DataTable.tsx';
import { Timestamp } from './Timestamp.tsx';

const COLUMNS = ['Name', 'Paired', 'Last seen', 'Status'];

interface AgentTableProps {
  client: EnclaveClient;
  agents: readonly Agent[];
  onRevoked(): void;
}

export function AgentTable({ client, agents, onRevoked }: AgentTableProps) {
  const [confirming, setConfirming] = useState<string | undefined>();
  if (agents.length === 0) return <p className="muted">No agent is paired with this workspace yet.</p>;
  return (
    <DataTable columns={COLUMNS}>
      {agents.map((agent) => {
        const active = agent.revokedAt === null;
        const confirmationId = `revoke-${agent.id}`;
        return (
          <Fragment key={agent.id}>
            <tr data-agent-id={agent.id}>
              <th scope="row">{agent.name}</th>
              <td>
                <Timestamp at={agent.pairedAt} />
              </td>
              <td>
                <Timestamp at={agent.lastSeenAt} absent="never" />
              </td>
              <td>
                <span className={`badge badge-${active ? 'success' : 'danger'}`}>{active ? 'Active' : 'Revoked'}</span>
                {agent.revokedAt !== null && (
                  <span className="table-note">
                    <Timestamp at={agent.revokedAt} />
                  </span>
                )}
              </td>
              <td className="table-actions">
                {active && (
                  <button
                    type="button"
                    className="button button-small"
                    aria-expanded={confirming === agent.id}
                    aria-controls={confirmationId}
                    onClick={() => setConfirming(agent.id)}
                  >
                    Revoke<span className="visually-hidden"> agent {agent.name}</span>
                  </button>
                )}
              </td>
            </tr>
            {active && confirming === agent.id && (
              <tr className="confirm-row">
                <td colSpan={COLUMNS.length + 1}>
                  <ConfirmAction
                    id={confirmationId}
                    label={`Confirm revoking agent ${agent.name}`}
                    question={`Revoke the agent “${agent.name}”? Its next request and its next sign-in fail, and this cannot be undone: to sync from that machine again, pair it anew.`}
                    confirmLabel="Revoke agent"
                    busyLabel="Revoking…"
                    action="revoke agents"
                    run={() => revokeAgent(client, agent.id)}
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
