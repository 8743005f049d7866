import type { EnclaveClient } from './client.ts';

export interface Alert {
  id: string;
  rule: string;
  subject: string;
  details: Record<string, unknown>;
  raisedAt: string;
  acknowledgedAt: string | null;
}

export async function alerts(client: EnclaveClient): Promise<Alert[]> {
  return (await client.call<{ alerts: Alert[] }>('/alerts')).alerts;
}

export function acknowledgeAlert(client: EnclaveClient, alertId: string): Promise<Alert> {
  return client.call<Alert>(`/alerts/${encodeURIComponent(alertId)}/acknowledge`, { method: 'POST' });
}
