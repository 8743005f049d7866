import { auditEvent } from '../access/audit-event.ts';
import type { AuditEventInput } from '../audit/event.ts';
import type { AuditLog } from '../audit/log.ts';
import { Webhook } from 'standardwebhooks';
import { ConfigError, type EnclaveConfig } from '../core/config.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { readSecretFile } from '../core/secret-file.ts';
import type { Mailer } from '../email/mailer.ts';
import { AlertService } from './service.ts';

/** The signer refuses a secret that is not base64 (optionally `whsec_`-prefixed); that is a configuration error, found at start-up. */
function webhookSigner(secret: string): Webhook {
  try {
    return new Webhook(secret);
  } catch {
    throw new ConfigError('alerts.webhookSecretFile must hold a Standard Webhooks secret: whsec_ followed by base64');
  }
}

/** Alert detection wired to the configured delivery targets; the webhook secret is read once, at start-up. */
export function openAlerts(
  config: EnclaveConfig,
  deps: { controlDb: SqliteDatabase; controlAudit: AuditLog; mailer: Mailer | undefined; workspaceExists(id: string): boolean },
): AlertService {
  const { emails, webhookUrl, webhookSecretFile, ...thresholds } = config.alerts;
  const webhook = webhookUrl && webhookSecretFile ? { url: webhookUrl, signer: webhookSigner(readSecretFile(webhookSecretFile, 'alerts.webhookSecretFile')) } : undefined;
  const system = { actor: { type: 'system' as const, id: 'alerts' } };
  // Deliveries finish in the background: one that fails after shutdown has no open log to go to.
  const record = (event: AuditEventInput) => void deps.controlAudit.record(event).catch(() => undefined);
  return new AlertService({
    controlDb: deps.controlDb,
    thresholds,
    workspaceExists: deps.workspaceExists,
    targets: {
      mailer: deps.mailer,
      emails,
      webhook,
      log: (message, error) =>
        record(auditEvent(system, 'alert.delivery', { type: 'alert', id: 'delivery' }, { message, error: error instanceof Error ? error.message : null }, 'failure')),
    },
    audit: (alert) => record(auditEvent(system, 'alert.raise', { type: 'alert', id: alert.id }, { rule: alert.rule, subject: alert.subject, workspaceId: alert.workspaceId })),
  });
}
