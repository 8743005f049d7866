import type { Actor } from '../access/actor.ts';
import type { AuditEventInput } from '../audit/event.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { deliverAlert, type DeliveryTargets, type RaisedAlert } from './delivery.ts';
import { SeenNetworks } from './seen-networks.ts';
import { acknowledgeAlert, insertAlert, listWorkspaceAlerts, type AlertRow } from './store.ts';
import { isBearerActor, TokenRules } from './token-rules.ts';
import { WindowCounter } from './window-counter.ts';

export interface AlertThresholds {
  windowSeconds: number;
  signInFailuresPerAccount: number;
  signInFailuresPerIp: number;
  workspaceRefusalsPerActor: number;
  requestsPerTokenPerWindow: number;
}

export interface AlertDeps {
  controlDb: SqliteDatabase;
  thresholds: AlertThresholds;
  targets: DeliveryTargets;
  workspaceExists(workspaceId: string): boolean;
  /** Records the alert in the control audit log. */
  audit(alert: RaisedAlert): void;
  now?: () => Date;
}

export interface Alert {
  id: string;
  rule: string;
  subject: string;
  details: Record<string, unknown>;
  raisedAt: string;
  acknowledgedAt: string | null;
}

function toAlert(row: AlertRow): Alert {
  return { id: row.id, rule: row.rule, subject: row.subject, details: JSON.parse(row.details) as Record<string, unknown>, raisedAt: row.raised_at, acknowledgedAt: row.acknowledged_at };
}

function actorKey(actor: Actor, ip: string | undefined): string {
  return actor.type === 'anonymous' ? `ip:${ip ?? 'unknown'}` : `${actor.type}:${actor.id}`;
}

/**
 * LOG-06: detection rules over the event stream. Failed sign-ins come from the control audit
 * log as it is written; refused workspace requests (403 and 404, which is how a foreign
 * workspace or id answers) and every request made with a bearer credential come from the
 * HTTP layer. A counting rule fires once when its count in the window reaches the threshold,
 * and not again for that subject within the window; the token rules live in token-rules.ts.
 */
export class AlertService {
  readonly #deps: AlertDeps;
  readonly #now: () => Date;
  readonly #counts: WindowCounter;
  /** Rules and subjects that raised an alert within the window: they stay quiet until it passes, so a prober cannot flood the operators. */
  readonly #quiet: WindowCounter;
  readonly #tokens: TokenRules;

  constructor(deps: AlertDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#counts = new WindowCounter(deps.thresholds.windowSeconds);
    this.#quiet = new WindowCounter(deps.thresholds.windowSeconds);
    this.#tokens = new TokenRules({
      seen: new SeenNetworks(deps.controlDb),
      windowSeconds: deps.thresholds.windowSeconds,
      requestsPerTokenPerWindow: deps.thresholds.requestsPerTokenPerWindow,
      raise: (rule, subject, workspaceId, summary, details) => this.#raise(rule, subject, workspaceId, summary, details),
    });
  }

  /** Called with every control audit event. */
  observeAudit(event: AuditEventInput): void {
    if (event.action !== 'user.sign_in' || event.outcome !== 'failure') return;
    const { signInFailuresPerAccount, signInFailuresPerIp } = this.#deps.thresholds;
    if (event.target) {
      this.#count('sign_in_failures_account', `${event.target.type}:${event.target.id}`, signInFailuresPerAccount, null, `Repeated failed sign-ins for one account`, { target: event.target });
    }
    if (event.ip) this.#count('sign_in_failures_ip', `ip:${event.ip}`, signInFailuresPerIp, null, `Repeated failed sign-ins from one address`, { ip: event.ip });
  }

  /** Called for every workspace request refused with 403 or 404. */
  observeWorkspaceRefusal(refusal: { actor: Actor; ip: string | undefined; workspaceId: string | undefined; status: number; route: string }): void {
    const subject = actorKey(refusal.actor, refusal.ip);
    // A probe of an id that names no workspace concerns the server, not a workspace.
    const workspaceId = refusal.workspaceId && this.#deps.workspaceExists(refusal.workspaceId) ? refusal.workspaceId : null;
    this.#count('workspace_probe', `${subject}@${workspaceId ?? '*'}`, this.#deps.thresholds.workspaceRefusalsPerActor, workspaceId, 'Probing of workspace ids or resources', {
      actor: subject,
      ip: refusal.ip ?? null,
      lastRoute: refusal.route,
      lastStatus: refusal.status,
    });
  }

  /** Called for every answered request; only those made with a workspace bearer credential count. */
  observeTokenUse(use: { actor: Actor | null; ip: string | undefined }): void {
    if (isBearerActor(use.actor)) this.#tokens.observe(use.actor, use.ip, this.#now());
  }

  list(workspaceId: string, limit = 100): Alert[] {
    return listWorkspaceAlerts(this.#deps.controlDb, workspaceId, limit).map(toAlert);
  }

  acknowledge(workspaceId: string, alertId: string, by: Actor): Alert {
    const row = acknowledgeAlert(this.#deps.controlDb, workspaceId, alertId, `${by.type}:${by.id}`, this.#now().toISOString());
    if (!row) throw new AppError(404, 'alert_not_found', 'no alert with that id in this workspace');
    return toAlert(row);
  }

  #count(rule: string, key: string, threshold: number, workspaceId: string | null, summary: string, details: Record<string, unknown>): void {
    const now = this.#now();
    const counted = `${rule}|${key}`;
    const count = this.#counts.hit(counted, now.getTime());
    if (count < threshold || this.#quiet.count(counted, now.getTime()) > 0) return;
    this.#counts.reset(counted);
    this.#quiet.hit(counted, now.getTime());
    this.#raise(rule, key, workspaceId, summary, { ...details, count, windowSeconds: this.#deps.thresholds.windowSeconds });
  }

  /** Stores the alert for the dashboard, audits it and sends it to the operators' mail and webhook. */
  #raise(rule: string, subject: string, workspaceId: string | null, summary: string, details: Record<string, unknown>): void {
    const alert: RaisedAlert = { id: newId('alrt'), rule, workspaceId, subject, summary, details, raisedAt: this.#now().toISOString() };
    insertAlert(this.#deps.controlDb, {
      id: alert.id,
      rule,
      workspace_id: workspaceId,
      subject,
      details: JSON.stringify(alert.details),
      raised_at: alert.raisedAt,
      acknowledged_at: null,
      acknowledged_by: null,
    });
    this.#deps.audit(alert);
    deliverAlert(this.#deps.targets, alert);
  }
}
