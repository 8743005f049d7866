import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { RequestMeta } from '../access/actor.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { rememberMessage } from './run-store.ts';

/** The standardwebhooks library's fixed timestamp tolerance, either side of now. */
const TOLERANCE_SECONDS = 5 * 60;
/** A message id is remembered until no timestamp it could be signed with is inside the tolerance any more. */
const REMEMBER_SECONDS = 2 * TOLERANCE_SECONDS;

/** The library's messages, each mapped to a stable code; anything unknown is a bad signature. */
const REFUSALS: Record<string, [number, string, string]> = {
  'Missing required headers': [400, 'webhook_headers_missing', 'webhook-id, webhook-timestamp and webhook-signature are required'],
  'Invalid Signature Headers': [400, 'webhook_headers_invalid', 'webhook-timestamp must be a Unix time in seconds'],
  'Message timestamp too old': [401, 'webhook_timestamp_out_of_tolerance', 'the webhook timestamp is outside the tolerance'],
  'Message timestamp too new': [401, 'webhook_timestamp_out_of_tolerance', 'the webhook timestamp is outside the tolerance'],
};

/**
 * WEB-07: verifies a delivery with Standard Webhooks — the library computes the HMAC-SHA256
 * over id, timestamp and the raw body, checks the timestamp tolerance and compares in
 * constant time — then refuses a message id already delivered (replay), remembering ids in
 * the workspace database so a restart does not forget them. Returns the parsed JSON body.
 */
export function verifyDelivery(
  delivery: { secret: string; workflowId: string; body: string; headers: Record<string, string | string[] | undefined> },
  db: SqliteDatabase,
  now: Date,
): unknown {
  const headers: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = delivery.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  try {
    new Webhook(delivery.secret).verify(delivery.body, headers, { jsonParse: false });
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    const [status, code, message] = REFUSALS[error.message] ?? [401, 'webhook_signature_invalid', 'the webhook signature does not match'];
    throw new AppError(status, code, message);
  }
  const expires = new Date(now.getTime() + REMEMBER_SECONDS * 1000).toISOString();
  if (!rememberMessage(db, delivery.workflowId, headers['webhook-id']!, now.toISOString(), expires)) {
    throw new AppError(401, 'webhook_replayed', 'this webhook message id was already delivered');
  }
  if (delivery.body.trim() === '') return null;
  try {
    return JSON.parse(delivery.body);
  } catch {
    throw new AppError(400, 'webhook_body_invalid', 'the webhook body is not JSON');
  }
}

/** Who a webhook-triggered run acts as: the sender proved only that it holds the workflow's secret. */
export function webhookMeta(workflowId: string, request: { id: string; ip: string; headers: { 'user-agent'?: string | undefined } }): RequestMeta {
  return { actor: { type: 'system', id: `webhook:${workflowId}` }, requestId: request.id, ip: request.ip, userAgent: request.headers['user-agent'] };
}
