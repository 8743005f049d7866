import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { ProvisionedAccounts } from '../identity/provisioned-accounts.ts';
import type { IdentityService } from '../identity/service.ts';
import type { MemberService } from '../members/service.ts';
import { ScimTokenService } from './token-service.ts';
import { ScimUserService } from './users.ts';

/** SCIM provisioning (IDN-06): the workspace's tokens and the people its directory provisions. */
export interface Scim {
  tokens: ScimTokenService;
  users: ScimUserService;
}

export interface ScimDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  identity: Pick<IdentityService, 'userByEmail' | 'createVerifiedUser'>;
  members: MemberService;
  workspaceAudit(workspaceId: string): AuditLog;
  workspaceExists(workspaceId: string): boolean;
}

export function openScim(deps: ScimDeps): Scim {
  const accounts = new ProvisionedAccounts({ controlDb: deps.controlDb, controlAudit: deps.controlAudit });
  return {
    tokens: new ScimTokenService(deps),
    users: new ScimUserService({ controlDb: deps.controlDb, accounts, identity: deps.identity, members: deps.members, workspaceAudit: deps.workspaceAudit }),
  };
}
