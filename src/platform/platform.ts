import { readFileSync } from 'node:fs';
import { AgentService } from '../agents/service.ts';
import { ApiKeyService } from '../api-keys/service.ts';
import { AuditLog } from '../audit/log.ts';
import { auditSigningKeys } from '../audit/signing.ts';
import { verifyAuditChain, type AuditVerification } from '../audit/verify.ts';
import { servesHttps, type EnclaveConfig } from '../core/config.ts';
import { openEncryptedDatabase, type SqliteDatabase } from '../core/database.ts';
import { DatasetService } from '../datasets/service.ts';
import { deriveWorkspaceKey, Keyring } from '../core/keyring.ts';
import { auditCheckpointPath, controlDatabasePath, controlDir, ensureLayout, setupTokenPath, workspaceDatabasePath } from '../core/layout.ts';
import { migrate } from '../core/migrations.ts';
import { sessionCookie } from '../identity/cookie.ts';
import { MagicLinkService } from '../identity/magic-link.ts';
import { PasswordResetService } from '../identity/password-reset.ts';
import { openOidcSignIn } from '../oidc/platform.ts';
import { OAuthInteractions } from '../oauth/interactions.ts';
import { OAuthService } from '../oauth/service.ts';
import type { OidcSignInService } from '../oidc/sign-in.ts';
import { identitySecret } from '../identity/secret.ts';
import { IdentityService } from '../identity/service.ts';
import { SessionService } from '../identity/sessions.ts';
import { EmailVerificationService } from '../identity/verification.ts';
import type { DevOutbox } from '../email/dev-outbox.ts';
import { openMailer } from '../email/mailer.ts';
import { InvitationService } from '../invitations/service.ts';
import { AccountClosure } from '../lifecycle/closure/service.ts';
import { ExportService } from '../lifecycle/export/service.ts';
import { MemberService } from '../members/service.ts';
import { isAccountDisabled } from '../identity/account-store.ts';
import { McpTokenService } from '../mcp-tokens/service.ts';
import { ReadOnlySql } from '../mcp/sql/read-only-sql.ts';
import { MfaService } from '../mfa/service.ts';
import { PasskeyService } from '../passkeys/service.ts';
import { ProofOfWork } from '../proof-of-work/service.ts';
import { openScim, type Scim } from '../scim/service.ts';
import { SetupService } from '../setup/service.ts';
import { openAlerts } from '../alerts/platform.ts';
import type { AlertService } from '../alerts/service.ts';
import { VaultService } from '../vault/service.ts';
import { RunService } from '../workflows/run-service.ts';
import { WorkflowService } from '../workflows/service.ts';
import { openSso, type Sso } from '../sso/service.ts';
import { controlMigrations } from '../migrations/control.ts';
import { WorkspaceDatabases } from '../workspaces/databases.ts';
import { workspaceKeyVersion } from '../workspaces/key-versions.ts';
import { assertNoRotationInProgress, markOpen } from '../lifecycle/rotation/lock.ts';
import { WorkspaceDeletion } from '../workspaces/deletion.ts';
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
  /** IDN-07: passkeys, and signing in with one. */
  passkeys: PasskeyService;
  emailVerification: EmailVerificationService;
  magicLinks: MagicLinkService;
  /** IDN-01: replacing a forgotten password through a mailed link. */
  passwordReset: PasswordResetService;
  /** WEB-06: the proof of work public forms carry. */
  proofOfWork: ProofOfWork;
  /** IDN-03: sign-in with the configured OpenID providers. */
  oidc: OidcSignInService;
  /** First run: the owner account, while the server has none. */
  setup: SetupService;
  /** DAT-02: deleting, restoring and shredding workspaces. */
  deletion: WorkspaceDeletion;
  /** LOG-06: detection rules and the alerts they raise. */
  alerts: AlertService;
  /** VLT-01: third-party credentials, sealed per workspace. */
  vault: VaultService;
  /** Enterprise SSO per workspace (IDN-06). */
  sso: Sso;
  /** SCIM provisioning per workspace (IDN-06). */
  scim: Scim;
  /** Datasets in each workspace's database, and the sync batches that fill them (AGT-03). */
  datasets: DatasetService;
  /** WFL-01: workflow definitions and their versions. */
  workflows: WorkflowService;
  /** WFL-05, WFL-06, ACC-02: workflow runs, their records and credit budgets. */
  workflowRuns: RunService;
  /** Paired sync agents and their access tokens (AGT-01, AGT-02). */
  agents: AgentService;
  /** DAT-01: workspace and personal exports. */
  exports: ExportService;
  /** DAT-03: a person closing their own account. */
  closure: AccountClosure;
  /** AIC-02..AIC-06: the OAuth server AI clients authorize through, and its consent step. */
  oauth: OAuthService;
  oauthInteractions: OAuthInteractions;
  /** AIC-05: personal MCP tokens. */
  mcpTokens: McpTokenService;
  /** ACC-04: the read-only SQL behind the MCP sql_query tool, in its own process. */
  mcpSql: ReadOnlySql;
  /** Development without SMTP only. */
  devOutbox: DevOutbox | undefined;
  /** Checks the control plane's own audit chain (LOG-02). */
  verifyControlAudit(): AuditVerification;
  close(): void;
}

export function openPlatform(config: EnclaveConfig, options: { createKeyInDevelopment?: boolean } = {}): Platform {
  ensureLayout(config.dataDir);
  // CRY-03: the mark comes before the check, so this and a starting `enclave rotate-keys` cannot both proceed.
  const releaseMark = markOpen(config.dataDir);
  let keyring: Keyring;
  let controlDb: SqliteDatabase;
  try {
    assertNoRotationInProgress(config.dataDir);
    const masterKey = resolveMasterKey(config, { createInDevelopment: options.createKeyInDevelopment ?? false });
    assertProductionReady(config, masterKey);
    keyring = new Keyring(masterKey);
    controlDb = openEncryptedDatabase(controlDatabasePath(config.dataDir), { key: keyring.controlDatabaseKey() });
  } catch (error) {
    releaseMark();
    throw error;
  }
  migrate(controlDb, 'control', controlMigrations);
  const controlAudit = new AuditLog({
    db: controlDb,
    scope: 'control',
    signingSeed: keyring.controlKey('audit-signing'),
    checkpointFile: auditCheckpointPath(controlDir(config.dataDir)),
    // The alert service is built once the mailer exists; sign-ins only happen after that.
    observe: (event) => alerts.observeAudit(event),
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
    dbKeyVersion: (id) => workspaceKeyVersion(controlDb, id, 'db'),
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
  const alerts: AlertService = openAlerts(config, { controlDb, controlAudit, mailer, workspaceExists: (id) => workspaces.exists(id) });
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
  const passwordReset = new PasswordResetService({ controlDb, controlAudit, identity, mailer, ttlSeconds: config.links.passwordResetSeconds });
  const proofOfWork = new ProofOfWork({ controlDb, keyring, settings: config.proofOfWork });
  const oidc = openOidcSignIn(config, controlDb, controlAudit, identity);
  const sessions = new SessionService({ controlDb, controlAudit, secret, cookie, policy: config.sessions });
  const mfa: MfaService = new MfaService({
    controlDb,
    controlAudit,
    keyring,
    identity,
    sessions,
    workspaceAudit: (id) => databases.open(id).audit,
    lockout: config.signInLockout,
    mailer,
    emailCodeSeconds: config.links.emailCodeSeconds,
  });
  const passkeys = new PasskeyService({ controlDb, controlAudit, identity, sessions, reauthenticate: (meta, password) => mfa.reauthenticate(meta, password) });
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
    keyVersion: (id) => workspaceKeyVersion(controlDb, id, 'vault'),
  });
  const deletion = new WorkspaceDeletion({
    controlDb,
    controlAudit,
    databases,
    dataDir: config.dataDir,
    isOwner: (workspaceId, userId) => members.isOwnerOf(workspaceId, userId),
    reauthenticate: (meta, password) => mfa.reauthenticate(meta, password),
    retentionDays: () => config.retention.deletedWorkspaceDays,
  });
  const setup = new SetupService({ controlDb, controlAudit, identity, members, tokenPath: setupTokenPath(config.dataDir) });
  const sso = openSso({
    controlDb,
    controlAudit,
    settings: config.sso,
    identity,
    members,
    workspaceAudit: (id) => databases.open(id).audit,
    workspaceExists: (id) => workspaces.exists(id),
    vaultKey: (id) => {
      const seed = workspaces.seedOf(id);
      if (!seed) throw new Error(`workspace ${id} has no key seed`);
      return deriveWorkspaceKey(seed, id, 'vault');
    },
  });
  const scim = openScim({
    controlDb,
    controlAudit,
    identity,
    members,
    workspaceAudit: (id) => databases.open(id).audit,
    workspaceExists: (id) => workspaces.exists(id),
  });
  const datasets = new DatasetService({ workspace: (id) => databases.open(id), readOnly: (id) => databases.openReadOnly(id) });
  const workflows = new WorkflowService({ workspace: (id) => databases.open(id), controlDb, vault });
  const workflowRuns = new RunService({
    workspace: (id) => databases.open(id),
    workflows,
    vault,
    datasets,
    sandbox: { allowPrivateAddresses: config.workflows.allowPrivateAddresses, workers: config.workflows.sandboxWorkers },
  });
  const agents = new AgentService({
    controlDb,
    controlAudit,
    workspaceAudit: (id) => databases.open(id).audit,
    workspaceExists: (id) => workspaces.exists(id),
    seedOf: (id) => workspaces.seedOf(id),
    settings: config.agents,
  });
  const exports = new ExportService({
    controlDb,
    controlAudit,
    databases,
    identity,
    workspace: {
      workspaces, members, invitations, apiKeys, agents, scimTokens: scim.tokens, vault, mfa,
      ssoDomains: sso.domains,
      ssoConnections: sso.connections,
      publicOrigin: config.publicUrl ? new URL(config.publicUrl).origin : '',
    },
    personal: { identity, sessions, members, mfa, passkeys },
  });
  const closure = new AccountClosure({
    controlDb,
    controlAudit,
    identity,
    reauthenticate: (meta, password) => mfa.reauthenticate(meta, password),
    deletion,
    workspaceExists: (id) => workspaces.exists(id),
    workspaceAudit: (id) => databases.open(id).audit,
    mailer,
  });
  const emailOf = (userId: string) => identity.user(userId)?.email;
  const oauth = new OAuthService({
    controlDb,
    workspaceAudit: (id) => databases.open(id).audit,
    emailOf,
    provider: {
      cookieSecret: secret,
      signingSeed: keyring.controlKey('agent-signing'),
      secureCookies: servesHttps(config),
      behindProxy: config.trustProxy.length > 0,
      loopbackClientMetadata: config.mcp.allowLoopbackClientMetadata
        ? { ca: config.mcp.clientMetadataCaFile === undefined ? undefined : readFileSync(config.mcp.clientMetadataCaFile, 'utf8') }
        : undefined,
    },
  });
  const oauthInteractions = new OAuthInteractions({
    oauth,
    workspacesOf: (userId) => members.workspacesOf(userId),
    mfaBlocks: (workspaceId, userId) => mfa.blocks(workspaceId, { type: 'user', id: userId, sessionId: '' }),
    emailOf,
  });
  const mcpTokens = new McpTokenService({
    controlDb,
    workspaceAudit: (id) => databases.open(id).audit,
    workspaceExists: (id) => workspaces.exists(id),
    accountDisabled: (userId) => isAccountDisabled(controlDb, userId),
    roleOf: (id, actor) => members.roleIn(id, actor),
  });
  const mcpSql = new ReadOnlySql({
    databasePath: (id) => workspaceDatabasePath(config.dataDir, id),
    databaseKey: (id) => databases.databaseKey(id),
  });
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
    passkeys,
    emailVerification,
    magicLinks,
    passwordReset,
    proofOfWork,
    oidc,
    setup,
    deletion,
    alerts,
    vault,
    sso,
    scim,
    datasets,
    workflows,
    workflowRuns,
    agents,
    exports,
    closure,
    oauth,
    oauthInteractions,
    mcpTokens,
    mcpSql,
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
      // The sandbox's worker threads are unreferenced when idle; closing them needs no waiting.
      void workflowRuns.close();
      void mcpSql.close();
      databases.close();
      controlAudit.close();
      controlDb.close();
      releaseMark();
    },
  };
}
