import { Webhook } from 'standardwebhooks';
import { errorCode, SiemDeliveryError, type SiemTarget } from './target.ts';

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * LOG-07: batches POSTed as JSON and signed as Standard Webhooks (webhook-id,
 * webhook-timestamp, webhook-signature), so the SIEM can check they came from this server
 * and are not replayed. The id names the log and the seq range, and stays the same when a
 * batch is sent again: receivers that dedupe on webhook-id (or on log and seq) see each
 * event once even though delivery is at least once.
 */
export function httpsTarget(options: { name: string; url: string; signer: Webhook }): SiemTarget {
  return {
    name: options.name,
    async send(log, events, signal) {
      const body = JSON.stringify({ type: 'audit.events', timestamp: new Date().toISOString(), data: { log, events } });
      const messageId = `msg_${log}_${events[0]!.seq}_${events.at(-1)!.seq}`;
      const at = new Date();
      const headers = {
        'content-type': 'application/json',
        'webhook-id': messageId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': options.signer.sign(messageId, at, body),
      };
      let response: Response;
      try {
        response = await fetch(options.url, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
      } catch (error) {
        throw new SiemDeliveryError(`request failed (${errorCode(error)})`);
      }
      // The body is not read: it is the receiver's, and nothing in it changes what happens next.
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) throw new SiemDeliveryError(`answered ${response.status}`);
    },
    close() {},
  };
}
