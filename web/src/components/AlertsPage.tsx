import { useCallback, useState } from 'react';
import { acknowledgeAlert, type Alert, alerts as listAlerts } from '../api/alerts.ts';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { DataTable } from './DataTable.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PageHeading } from './PageHeading.tsx';
import { Timestamp } from './Timestamp.tsx';

const RULES: Record<string, string> = {
  workspace_probe: 'Probing of this workspace',
  token_new_network: 'Token used from a new network',
  token_request_rate: 'Abnormal request rate for one token',
};

const COLUMNS = ['Alert', 'Who', 'Details', 'Raised', 'Status'];

function who(alert: Alert): string {
  const actor = typeof alert.details.actor === 'string' ? alert.details.actor : alert.subject;
  const ip = typeof alert.details.ip === 'string' ? ` from ${alert.details.ip}` : '';
  return `${actor.replace(':', ' ')}${ip}`;
}

function detail(alert: Alert): string {
  if (typeof alert.details.network === 'string') return `first use from ${alert.details.network}`;
  const counted = alert.rule === 'token_request_rate' ? 'requests' : 'refused requests';
  const count = typeof alert.details.count === 'number' ? alert.details.count : undefined;
  const window = typeof alert.details.windowSeconds === 'number' ? Math.round(alert.details.windowSeconds / 60) : undefined;
  const route = typeof alert.details.lastRoute === 'string' ? `; last: ${alert.details.lastRoute}` : '';
  return count !== undefined && window !== undefined ? `${count} ${counted} within ${window} minutes${route}` : route.slice(2);
}

interface AlertsPageProps {
  client: EnclaveClient;
}

/** LOG-06: what the detection rules noticed about this workspace, for its managers to look into and acknowledge. */
export function AlertsPage({ client }: AlertsPageProps) {
  const loaded = useApiQuery(useCallback(() => listAlerts(client), [client]));
  const [busy, setBusy] = useState<string | undefined>();
  const [failure, setFailure] = useState<ApiError | undefined>();

  async function acknowledge(alertId: string) {
    setBusy(alertId);
    setFailure(undefined);
    try {
      const updated = await acknowledgeAlert(client, alertId);
      loaded.update((list) => list.map((alert) => (alert.id === alertId ? updated : alert)));
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <>
      <PageHeading description="Raised when someone keeps asking for workspaces or records they cannot see. The operators were told by mail and webhook as well.">Alerts</PageHeading>
      {loaded.result.state === 'loading' && <p className="muted">Loading alerts…</p>}
      {loaded.result.state === 'failed' && <ErrorNotice error={loaded.result.error} action="see the alerts" />}
      {loaded.result.state === 'loaded' &&
        (loaded.result.value.length === 0 ? (
          <section className="card">
            <p className="muted">No alerts. Nothing unusual has been seen in this workspace.</p>
          </section>
        ) : (
          <section className="card" aria-labelledby="alerts-heading">
            <h2 id="alerts-heading">Newest first</h2>
            <DataTable columns={COLUMNS}>
              {loaded.result.value.map((alert) => (
                <tr key={alert.id}>
                  <th scope="row">{RULES[alert.rule] ?? alert.rule}</th>
                  <td>{who(alert)}</td>
                  <td>{detail(alert)}</td>
                  <td>
                    <Timestamp at={alert.raisedAt} />
                  </td>
                  <td>
                    <span className={`badge badge-${alert.acknowledgedAt ? 'neutral' : 'warning'}`}>{alert.acknowledgedAt ? 'Acknowledged' : 'Open'}</span>
                  </td>
                  <td className="table-actions">
                    {!alert.acknowledgedAt && (
                      <button type="button" className="button button-small" disabled={busy === alert.id} onClick={() => acknowledge(alert.id)}>
                        Acknowledge<span className="visually-hidden"> {RULES[alert.rule] ?? alert.rule}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
            {failure && <ErrorNotice error={failure} action="acknowledge the alert" />}
          </section>
        ))}
    </>
  );
}
