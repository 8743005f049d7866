import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { signInFederated, type FederatedSignInDeps } from '../identity/federated.ts';
import type { MemberService } from '../members/service.ts';
import { PendingLoginStore } from '../oidc/pending-login-store.ts';
import { SsoConnectionService } from './connections.ts';
import { txtLookup } from './dns-challenge.ts';
import { SsoDomainService } from './domains.ts';
import { oidcSsoFlow } from './oidc.ts';
import { SamlCompletions, samlRequestLedger } from './saml-requests.ts';
import { ConnectionSecretBox } from './secret-box.ts';
import { SsoSignInService } from './sign-in.ts';

export interface SsoSettings {
  dnsServers: string[];
  clockSkewSeconds: number;
  requestSeconds: number;
  allowLoopbackIssuers: boolean;
}

export interface SsoDeps {
  controlDb: SqliteDatabase;
  settings: SsoSettings;
  /** The workspace's vault key, under which connection secrets are sealed. */
  vaultKey(workspaceId: string): Buffer;
  workspaceExists(workspaceId: string): boolean;
  workspaceAudit(workspaceId: string): AuditLog;
  controlAudit: AuditLog;
  identity: FederatedSignInDeps['identity'];
  members: Pick<MemberService, 'joinBySso'>;
}

export interface Sso {
  domains: SsoDomainService;
  connections: SsoConnectionService;
  signIn: SsoSignInService;
}

/** Enterprise single sign-on (IDN-06), wired once for the server and the CLI alike. */
export function openSso(deps: SsoDeps): Sso {
  const { controlDb, settings, workspaceAudit } = deps;
  const domains = new SsoDomainService({ controlDb, lookupTxt: txtLookup(settings.dnsServers), workspaceAudit });
  const connections = new SsoConnectionService({ controlDb, domains, secrets: new ConnectionSecretBox(deps.vaultKey), workspaceExists: deps.workspaceExists, workspaceAudit, allowLoopbackIssuers: settings.allowLoopbackIssuers });
  const requestMs = settings.requestSeconds * 1000;
  const signIn = new SsoSignInService({
    connections,
    members: deps.members,
    // Just-in-time accounts whatever the server-wide sign-up setting: the workspace's owners
    // chose to admit their verified domain's people, and such an account starts in their workspace only.
    signInFederated: (identity, meta) =>
      signInFederated({ controlDb, controlAudit: deps.controlAudit, identity: deps.identity, allowSignUp: true }, { ...identity, method: 'sso' }, meta),
    saml: {
      policy: { clockSkewMs: settings.clockSkewSeconds * 1000, requestMs },
      ledger: samlRequestLedger(controlDb, requestMs),
      completions: new SamlCompletions(controlDb),
    },
    oidc: oidcSsoFlow(new PendingLoginStore(controlDb)),
    workspaceAudit,
  });
  return { domains, connections, signIn };
}
