import type { AuditLog } from '../audit/log.ts';
import type { EnclaveConfig } from '../core/config.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { signInFederated } from '../identity/federated.ts';
import type { IdentityService } from '../identity/service.ts';
import { PendingLoginStore } from './pending-login-store.ts';
import { loadOidcProviders } from './providers.ts';
import { OidcSignInService } from './sign-in.ts';

/** IDN-03, wired once for the platform; reads every provider's client secret now, so a bad secret file stops start-up. */
export function openOidcSignIn(config: EnclaveConfig, controlDb: SqliteDatabase, controlAudit: AuditLog, identity: IdentityService): OidcSignInService {
  return new OidcSignInService({
    providers: loadOidcProviders(config),
    pendingLogins: new PendingLoginStore(controlDb),
    controlAudit,
    signInFederated: (federated, meta, allowSignUp) => signInFederated({ controlDb, controlAudit, identity, allowSignUp }, federated, meta),
  });
}
