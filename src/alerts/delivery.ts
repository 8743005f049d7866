import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Mailer } from '../email/mailer.ts';

export interface RaisedAlert {
  id: string;
  rule: string;
  workspaceId: string | null;
  subject: string;
  summary: string;
  details: Record<string, unknown>;
  raisedAt: string;
}

export interface DeliveryTargets {
  mailer: Mailer | undefined;
  emails: readonly string[];
  /** The receiver and the signer, built from the secret at start-up so a malformed secret stops the server there. */
  webhook: { url: string; signer: Webhook } | undefined;
  /** Where delivery failures are reported; never with the alert's secret parts, which it has none of. */
  log: (message: string, error?: unknown) => void;
}

/**
 * LOG-06: every alert goes to the operators' addresses and to the webhook, signed as
 * Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature) so the receiver can
 * check it came from this server and is not replayed. Delivery never blocks detection.
 */
export function deliverAlert(targets: DeliveryTargets, alert: RaisedAlert): void {
  const text = `${alert.summary}\n\nRule: ${alert.rule}\nSubject: ${alert.subject}\nWorkspace: ${alert.workspaceId ?? '(the server)'}\nRaised at: ${alert.raisedAt}\nAlert id: ${alert.id}\n\n${JSON.stringify(alert.details, null, 2)}\n`;
  if (targets.mailer) {
    for (const to of targets.emails) {
      targets.mailer.send({ to, subject: `Enclave alert: ${alert.summary}`, text }).catch((error: unknown) => targets.log('alert mail not delivered', error));
    }
  }
  if (targets.webhook) {
    const { url, signer } = targets.webhook;
    const body = JSON.stringify({ type: 'alert.raised', data: alert });
    const messageId = `msg_${randomUUID()}`;
    const at = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(messageId, at, body),
    };
    fetch(url, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(10_000) }).then(
      (response) => {
        if (!response.ok) targets.log(`alert webhook answered ${response.status}`);
      },
      (error: unknown) => targets.log('alert webhook not delivered', error),
    );
  }
}
