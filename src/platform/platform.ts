import { ApiKeyService } from '../api-keys/service.ts';
import { AuditLog } from '../audit/log.ts';
import { auditSigningKeys } from '../audit/signing.ts';
import { verifyAuditChain, type AuditVerification } from '../audit/verify.ts';
import { servesHttps, type EnclaveConfig } from '../core/config.ts';
import { openEncryptedDatabase, type SqliteDatabase } from '../core/database.ts';
import { deriveWorkspaceKey, Keyring } from '../core/keyring.ts';
import { auditCheckpointPath, controlDatabasePath, controlDir, ensureLayout, setupTokenPath } from '../core/layout.ts';
import { migrate } from '../core/migrations.ts';
import { sessionCookie } from '../identity/cookie.ts';
import { MagicLinkService } from '../identity/magic-link.ts';
import { identitySecret } from '../identity/secret.ts';
import { IdentityService } from '../identity/service.ts';
import { SessionService } from '../identity/sessions.ts';
import { EmailVerificationService } from '../identity/verification.ts';
import type { DevOutbox } from '../email/dev-outbox.ts';
import { openMailer } from '../email/mailer.ts';
import { InvitationService } from '../invitations/service.ts';
import { MemberService } from '../members/service.ts';
import { MfaService } from '../mfa/service.ts';
import { SetupService } from '../setup/service.ts';
import { VaultService } from '../vault/service.ts';
import { controlMigrations } from '../migrations/control.ts';
import { WorkspaceDatabases } from '../workspaces/databases.ts';
import { WorkspaceService } from '../workspaces/service.ts';
import { resolveMasterKey } from './master-key.ts';
import { assertProductionReady } from './startup-checks.ts';

/** Everything a running Enclave holds, wired once for the server and the CLI alike. */
export interface Platform {
  config: EnclaveConfig;
  keyring: Keyring;
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  databases: WorkspaceDatabases;
  workspaces: WorkspaceService;
  apiKeys: ApiKeyService;
  identity: IdentityService;
  sessions: SessionService;
  members: MemberService;
  invitations: InvitationService;
  mfa: MfaService;
  emailVerification: EmailVerificationService;
  magicLinks: MagicLinkService;
  /** First run: the owner account, while the server has none. */
  setup: SetupService;
  /** VLT-01: third-party credentials, sealed per workspace. */
  vault: VaultService;
  /** Development without SMTP only. */
  devOutbox: DevOutbox | undefined;
  /** Checks the control plane's own audit chain (LOG-02). */
  verifyControlAudit(): AuditVerification;
  close(): void;
}

export function openPlatform(config: EnclaveConfig, options: { createKeyInDevelopment?: boolean } = {}): Platform {
  ensureLayout(config.dataDir);
  const masterKey = resolveMasterKey(config, { createInDevelopment: options.createKeyInDevelopment ?? false });
  assertProductionReady(config, masterKey);
  const keyring = new Keyring(masterKey);
  const controlDb = openEncryptedDatabase(controlDatabasePath(config.dataDir), { key: keyring.controlKey('db') });
  migrate(controlDb, 'control', controlMigrations);
  const controlAudit = new AuditLog({
    db: controlDb,
    scope: 'control',
    signingSeed: keyring.controlKey('audit-signing'),
    checkpointFile: auditCheckpointPath(controlDir(config.dataDir)),
  });
  const workspaces: WorkspaceService = new WorkspaceService({
    controlDb,
    controlAudit,
    keyring,
    databases: () => databases,
    dataDir: config.dataDir,
  });
  const databases = new WorkspaceDatabases({
    dataDir: config.dataDir,
    seedOf: (id) => workspaces.seedOf(id),
    cacheSize: config.workspaceHandleCacheSize,
  });
  const apiKeys = new ApiKeyService({
    controlDb,
    controlAudit,
    workspaceAudit: (id) => databases.open(id).audit,
    workspaceExists: (id) => workspaces.exists(id),
    roleOf: (id, actor) => members.roleIn(id, actor),
  });
  const secret = identitySecret(keyring);
  const cookie = sessionCookie(servesHttps(config));
  const { mailer, outbox: devOutbox } = openMailer(config, controlDb);
  const emailVerification = new EmailVerificationService({ controlDb, controlAudit, mailer, ttlSeconds: config.links.emailVerificationSeconds });
  const identity = new IdentityService({
    controlDb,
    controlAudit,
    secret,
    cookie,
    publicUrl: config.publicUrl,
    idleTimeoutSeconds: config.sessions.idleTimeoutSeconds,
    allowSignUp: config.allowSignUp,
    accountMail: emailVerification,
    lockout: config.signInLockout,
    // The MFA service is built below; sign-ins only ask it once the platform is up.
    hasSecondFactor: (userId) => mfa.enabled(userId),
  });
  const magicLinks = new MagicLinkService({ controlDb, controlAudit, identity, mailer, ttlSeconds: config.links.magicLinkSeconds });
  const sessions = new SessionService({ controlDb, controlAudit, secret, cookie, policy: config.sessions });
  const mfa: MfaService = new MfaService({
    controlDb,
    controlAudit,
    keyring,
    identity,
    sessions,
    workspaceAudit: (id) => databases.open(id).audit,
    lockout: config.signInLockout,
  });
  const members = new MemberService({
    controlDb,
    workspaces,
    identity,
    workspaceAudit: (id) => databases.open(id).audit,
  });
  const invitations = new InvitationService({
    controlDb,
    controlAudit,
    workspaces,
    members,
    identity,
    mailer,
    workspaceAudit: (id) => databases.open(id).audit,
    ttlSeconds: config.links.invitationSeconds,
  });
  const vault = new VaultService({
    workspace: (id) => databases.open(id),
    vaultKey: (id, version) => {
      const seed = workspaces.seedOf(id);
      if (!seed) throw new Error(`workspace ${id} has no key seed`);
      return deriveWorkspaceKey(seed, id, 'vault', version);
    },
  });
  const setup = new SetupService({ controlDb, controlAudit, identity, members, tokenPath: setupTokenPath(config.dataDir) });
  return {
    config,
    keyring,
    controlDb,
    controlAudit,
    databases,
    workspaces,
    apiKeys,
    identity,
    sessions,
    members,
    invitations,
    mfa,
    emailVerification,
    magicLinks,
    setup,
    vault,
    devOutbox,
    verifyControlAudit() {
      controlAudit.flush();
      return verifyAuditChain({
        db: controlDb,
        scope: 'control',
        publicKey: auditSigningKeys(keyring.controlKey('audit-signing')).publicKey,
        checkpointFile: auditCheckpointPath(controlDir(config.dataDir)),
      });
    },
    close() {
      databases.close();
      controlAudit.close();
      controlDb.close();
    },
  };
}
