import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { claimUnverifiedUser, createVerifiedUserRow, findLinkedUser, hasLinkFrom, linkSubject } from './federated-store.ts';
import { emailSchema, userNameSchema } from './schema.ts';
import type { IdentityService, OpenedSession } from './service.ts';

/** Who an outside identity provider vouched for. */
export interface FederatedIdentity {
  /** Names the provider in the account table (`oidc:<id>`, `sso:<connection>`); one subject space per value. */
  provider: string;
  subject: string;
  email: string;
  emailVerified: boolean;
  name?: string;
  /** How the session records its first factor; `oidc` unless said otherwise. */
  method?: string;
}

export interface FederatedSignInDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  identity: Pick<IdentityService, 'openSession' | 'userByEmail' | 'emailDigest'>;
  /** Whether someone new to this server gets an account by signing in here. */
  allowSignUp: boolean;
  now?: () => Date;
}

type Refusal = 'federated_email_invalid' | 'federated_email_unverified' | 'federated_account_conflict' | 'federated_sign_up_disabled';
const REFUSALS: Record<Refusal, string> = {
  federated_email_invalid: 'the identity provider gave an email address Enclave cannot use',
  federated_email_unverified: 'the identity provider has not verified this email address',
  federated_account_conflict: 'the account with this address is linked to another identity at this provider; ask an administrator',
  federated_sign_up_disabled: 'this server does not create accounts on sign-in; ask an administrator for one',
};
/** The provider's display name, held to the sign-up form's rules (src/identity/schema.ts); else the address's local part. */
function accountName(name: string | undefined, email: string): string {
  const parsed = userNameSchema.safeParse(name);
  return parsed.success ? parsed.data : email.slice(0, email.indexOf('@')).slice(0, 100);
}
type Resolution = { userId: string; linked: boolean; created: boolean; passwordDropped: boolean };

/**
 * The account-linking policy for every federated sign-in (IDN-03, IDN-06):
 * 1. a subject already linked signs in to its account;
 * 2. otherwise the provider must say it verified the address;
 * 3. an account with that address gets the subject linked to it — the operator, by
 *    configuring the provider, trusts its word on addresses: a provider that vouched
 *    for an address it does not control could take over that account, so only
 *    providers that own their addresses (Google Workspace with `allowedDomains`, a
 *    workspace's verified-domain SSO) belong in the configuration. An account that
 *    already has another subject of the same provider is not linked again: an address
 *    the provider gave to someone new (a reassigned work address) must not inherit the
 *    old holder's account;
 * 4. or, where sign-up is allowed, a new account starts verified.
 * The session then opens like any other, so a second factor is still owed.
 */
/** `firstWithProvider`: this sign-in created the account or linked it to the provider (rather than using a link made before). */
export async function signInFederated(deps: FederatedSignInDeps, identity: FederatedIdentity, meta: RequestMeta): Promise<OpenedSession & { firstWithProvider: boolean }> {
  const method = identity.method ?? 'oidc';
  const email = identity.email.toLowerCase();
  const context = { method, provider: identity.provider };
  const refuse = async (status: number, code: string, message: string): Promise<never> => {
    const target = { type: 'email_digest', id: deps.identity.emailDigest(email) };
    await deps.controlAudit.record(auditEvent(meta, 'user.sign_in', target, { ...context, reason: code }, 'failure'));
    throw new AppError(status, code, message);
  };

  const now = (deps.now ?? (() => new Date()))();
  const db = deps.controlDb;
  // One synchronous transaction: no other request can link or create in between.
  const resolve = db.transaction((): Resolution | Refusal => {
    const linkedUser = findLinkedUser(db, identity.provider, identity.subject);
    if (linkedUser) return { userId: linkedUser, linked: false, created: false, passwordDropped: false };
    // Held to the same rules as an address typed at sign-up, since it may become an account's.
    if (!emailSchema.safeParse(email).success) return 'federated_email_invalid';
    if (!identity.emailVerified) return 'federated_email_unverified';
    const existing = deps.identity.userByEmail(email);
    if (existing) {
      if (hasLinkFrom(db, existing.id, identity.provider)) return 'federated_account_conflict';
      const passwordDropped = existing.emailVerified ? false : claimUnverifiedUser(db, existing.id, now);
      linkSubject(db, existing.id, identity.provider, identity.subject, now);
      return { userId: existing.id, linked: true, created: false, passwordDropped };
    }
    if (!deps.allowSignUp) return 'federated_sign_up_disabled';
    const userId = createVerifiedUserRow(db, email, accountName(identity.name, email), now);
    linkSubject(db, userId, identity.provider, identity.subject, now);
    return { userId, linked: true, created: true, passwordDropped: false };
  });
  const resolution = resolve.immediate();
  if (typeof resolution === 'string') {
    return refuse(403, resolution, REFUSALS[resolution]);
  }

  const target = { type: 'user', id: resolution.userId };
  if (resolution.created) await deps.controlAudit.record(auditEvent(meta, 'user.create', target, { emailVerified: true, ...context }));
  if (resolution.linked) {
    await deps.controlAudit.record(
      auditEvent(meta, 'user.link_account', target, { ...context, ...(resolution.passwordDropped ? { unverifiedPasswordRemoved: true } : {}) }),
    );
  }
  const opened = await deps.identity.openSession(resolution.userId, meta, method, { provider: identity.provider });
  return { ...opened, firstWithProvider: resolution.linked };
}
