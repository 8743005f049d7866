import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const DEFAULT_DATA_DIR = './data';
export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';
/** A reserved (.invalid) address: fine for development, refused in production. */
/** LOG-03: no audit event, security events included, is kept for less than this. */
export const MIN_AUDIT_RETENTION_DAYS = 90;
export const PLACEHOLDER_SECURITY_CONTACT = 'mailto:security@enclave.invalid';

const port = z.coerce.number().int().min(0).max(65535);
const seconds = z.coerce.number().int().positive();

/** Plain http only where nobody can sit between: this machine (tests, local development). */
const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

/** IDN-03: one OpenID provider; its client secret is read from a file only its owner can read, like smtp.passwordFile. */
const oidcProviderSchema = z.strictObject({
  /** The slug in its URLs: /api/auth/oidc/<id>/start and …/callback (register that callback at the provider). */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be a lowercase slug (a-z, 0-9, -)'),
  /** Shown on the sign-in page: "Continue with <label>". */
  label: z.string().trim().min(1).max(60),
  issuer: z.url().refine((url) => url.startsWith('https://') || LOOPBACK_HTTP.test(url), 'must be an https URL (http only for a loopback address)'),
  clientId: z.string().min(1).max(512),
  clientSecretFile: z.string().min(1),
  /** Defaults to openid, email and profile; must include openid. */
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be a scope token')).refine((scopes) => scopes.includes('openid'), 'must include openid').optional(),
  /** Only addresses in these domains may sign in; for Google Workspace also the `hd` claim must be one of them. */
  allowedDomains: z.array(z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, 'must be a lowercase domain name')).min(1).optional(),
  /** Whether someone new gets an account by signing in here; defaults to allowSignUp. */
  allowSignUp: z.boolean().optional(),
});

/** LOG-07: a SIEM that receives every audit event; `name` keys its cursors, so renaming a target re-sends everything. */
const siemTargetName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be a lowercase slug (a-z, 0-9, -)');
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|::1)$/;
const siemTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    name: siemTargetName,
    /** Batches of events POSTed as JSON, signed as Standard Webhooks. */
    kind: z.literal('https'),
    url: z.url().refine((url) => url.startsWith('https://') || LOOPBACK_HTTP.test(url), 'must be an https URL (http only for a loopback address)'),
    /** A file only its owner can read holding the Standard Webhooks signing secret (`whsec_…`). */
    secretFile: z.string().min(1),
  }),
  z.strictObject({
    name: siemTargetName,
    /** RFC 5424 messages over TCP, octet-counted (RFC 6587). */
    kind: z.literal('syslog'),
    host: z.string().min(1),
    port: port.refine((value) => value > 0, 'must be a port number'),
    /** Plain TCP only to this machine (a local relay); anywhere else the events travel over TLS. */
    tls: z.boolean().default(false),
    /** PEM CA certificates trusted for the collector's TLS certificate, besides the system's. */
    caFile: z.string().min(1).optional(),
  }).refine((target) => target.tls || LOOPBACK_HOST.test(target.host), { message: 'plain TCP only to a loopback host: set tls: true', path: ['tls'] }),
]);

/** The one schema for every setting, whatever its source (file, environment, flags). */
export const configSchema = z
  .strictObject({
    mode: z.enum(['development', 'production']).default('development'),
    dataDir: z.string().min(1).default(DEFAULT_DATA_DIR),
    host: z.string().min(1).default(DEFAULT_HOST),
    port: port.default(DEFAULT_PORT),
    /** The origin browsers use to reach Enclave; state-changing requests must come from it. */
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Addresses or CIDRs of reverse proxies whose X-Forwarded-* headers are believed. */
    trustProxy: z.array(z.string().min(1)).default([]),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    /** Hex-encoded 32-byte master key from the environment, instead of the key file. */
    masterKey: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)').optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Open workspace databases kept in memory; each costs up to 3 file descriptors. */
    workspaceHandleCacheSize: z.coerce.number().int().min(1).max(5000).default(512),
    rateLimit: z
      .strictObject({
        perIpPerMinute: z.coerce.number().int().positive().default(600),
        perActorPerMinute: z.coerce.number().int().positive().default(300),
        /** Sign-in and sign-up attempts per IP, each counted apart from every other route. */
        signInPerIpPerMinute: z.coerce.number().int().positive().default(10),
        /** Magic-link requests per address, whether or not it has an account, so answers stay alike. */
        magicLinkPerEmailPerHour: z.coerce.number().int().positive().default(5),
        /** Password-reset requests per address, known or not, counted apart from magic links. */
        passwordResetPerEmailPerHour: z.coerce.number().int().positive().default(5),
      })
      .prefault({}),
    auditCheckpointSeconds: seconds.default(60),
    /** LOG-06: detection thresholds, and where alerts go besides the dashboard. */
    alerts: z
      .strictObject({
        windowSeconds: seconds.max(86_400).default(600),
        signInFailuresPerAccount: z.coerce.number().int().min(2).max(10_000).default(10),
        signInFailuresPerIp: z.coerce.number().int().min(2).max(100_000).default(30),
        workspaceRefusalsPerActor: z.coerce.number().int().min(2).max(100_000).default(20),
        /** Requests one bearer credential may make in the window before it raises an alert; the defaults (3000 in 10 minutes) are a token held at the default per-actor rate limit throughout. */
        requestsPerTokenPerWindow: z.coerce.number().int().min(2).max(10_000_000).default(3000),
        emails: z.array(z.email()).default([]),
        webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
        /** A file only its owner can read holding the Standard Webhooks signing secret (`whsec_…`). */
        webhookSecretFile: z.string().min(1).optional(),
      })
      .refine((alerts) => (alerts.webhookUrl === undefined) === (alerts.webhookSecretFile === undefined), {
        message: 'webhookUrl and webhookSecretFile go together: alert webhooks are always signed',
        path: ['webhookSecretFile'],
      })
      .prefault({}),
    /** LOG-07: audit events streamed to SIEM targets by the forwarder inside `serve`. */
    siem: z
      .strictObject({
        /** How often the forwarder looks for new events in every log. */
        intervalSeconds: seconds.max(3600).default(10),
        /** Events read, and sent, at a time. */
        batchSize: z.coerce.number().int().min(1).max(1000).default(200),
        targets: z
          .array(siemTargetSchema)
          .refine((targets) => new Set(targets.map((target) => target.name)).size === targets.length, 'target names must be unique')
          .default([]),
      })
      .prefault({}),
    /** LOG-03: how long audit events are kept, and how often the sweeper trims older ones. */
    retention: z
      .strictObject({
        auditDays: z.coerce.number().int().min(MIN_AUDIT_RETENTION_DAYS, `must be at least ${MIN_AUDIT_RETENTION_DAYS} days (security events)`).max(3650).default(395),
        sweepSeconds: seconds.max(7 * 86_400).default(86_400),
        /** DAT-02: how long a deleted workspace stays restorable before its key seed and files are destroyed. */
        deletedWorkspaceDays: z.coerce.number().int().min(1).max(365).default(30),
      })
      .prefault({}),
    /** How often rows that stopped working when they expired (sessions, mailed links, old sign-in failures) are deleted. */
    expirySweepSeconds: seconds.max(86_400).default(300),
    /** BKP-01, BKP-02: encrypted backups (see src/backup/). */
    backup: z
      .strictObject({
        /** The age X25519 recipient (public key) backups are encrypted to; defaults to keys/backup-recipient.txt. */
        recipient: z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/, 'must be an age X25519 recipient (age1…)').optional(),
        /** A cron expression (croner; local time) for backups inside `serve`, or `off`. */
        schedule: z.string().min(1).default('0 3 * * *'),
        /** The local directory target; defaults to <dataDir>/backups (put it on other media in production). */
        dir: z.string().min(1).optional(),
        retentionDays: z.coerce.number().int().min(1).max(3650).default(30),
      })
      .prefault({}),
    /** OPS-04: where vulnerability reports go (security.txt Contact); a mailto: or https: URL. */
    securityContact: z
      .string()
      .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/, 'must be a mailto: or https: URL')
      .default(PLACEHOLDER_SECURITY_CONTACT),
    /** Whether anyone may create an account through the API; operators can always use `enclave users create`. */
    allowSignUp: z.boolean().default(true),
    /** WEB-05: failures allowed per account before it locks, and the back-off that follows. */
    signInLockout: z
      .strictObject({
        freeFailures: z.coerce.number().int().min(1).max(100).default(5),
        baseSeconds: z.coerce.number().int().min(1).max(3600).default(30),
        maxSeconds: z.coerce.number().int().min(1).max(86_400).default(3600),
        forgetAfterSeconds: z.coerce.number().int().min(1).max(86_400).default(900),
      })
      .prefault({}),
    /** Outgoing mail. Without it, development keeps mails in the dev outbox; see src/email/mailer.ts for production. */
    smtp: z
      .strictObject({
        host: z.string().min(1),
        port,
        /** TLS from the first byte (465); otherwise nodemailer upgrades with STARTTLS when offered. */
        secure: z.boolean().default(false),
        user: z.string().min(1).optional(),
        /** A file only its owner can read (0600) holding the password, so it is never in config, environment or argv. */
        passwordFile: z.string().min(1).optional(),
        from: z.email(),
      })
      .optional(),
    /** IDN-01, IDN-02: how long the links mailed for email verification, magic-link sign-in and workspace invitations work. */
    links: z
      .strictObject({
        magicLinkSeconds: seconds.max(3600).default(10 * 60),
        emailVerificationSeconds: seconds.max(7 * 86400).default(24 * 3600),
        /** How long a workspace invitation mailed to an address works. */
        invitationSeconds: seconds.max(30 * 86400).default(7 * 86400),
        /** IDN-04: how long a one-time code mailed as a second factor works (a pending sign-in itself lasts 5 minutes). */
        emailCodeSeconds: seconds.max(600).default(300),
        /** IDN-01: how long a mailed password-reset link works. */
        passwordResetSeconds: seconds.max(3600).default(30 * 60),
      })
      .prefault({}),
    /** WEB-06: the proof of work public forms (sign-up, sign-in links, password reset) must carry. */
    proofOfWork: z
      .strictObject({
        /** Challenges hide a random counter from 0 to this; a browser tries half as many SHA-256 hashes on average. */
        maxNumber: z.coerce.number().int().min(2).max(50_000_000).default(100_000),
        /** How long a challenge can be solved and presented. */
        challengeSeconds: seconds.max(3600).default(300),
      })
      .prefault({}),
    /** IDN-03: sign-in with OpenID providers the operator trusts, server-wide (Google Workspace, any OIDC provider). */
    oidc: z.strictObject({ providers: z.array(oidcProviderSchema).default([]) }).prefault({}),
    /** AGT-01, AGT-02: paired sync agents. */
    agents: z
      .strictObject({
        /** How long a pairing token works; 30 days at most (AGT-01). */
        pairingTokenSeconds: seconds.max(30 * 86400).default(30 * 86400),
        /** How long an agent's access token works before it signs a new challenge. */
        accessTokenSeconds: seconds.max(3600).default(600),
        /** How long a challenge waits for its signed answer. */
        challengeSeconds: seconds.max(600).default(120),
      })
      .prefault({}),
    /** WFL-01..WFL-07: the workflow runtime. */
    workflows: z
      .strictObject({
        /**
         * Whether workflow HTTP requests may reach loopback, private and link-local addresses.
         * Off by default: a workflow must not reach this server's own ports, the LAN or a cloud
         * metadata service. For deployments whose tools live on a private network, and for tests.
         */
        allowPrivateAddresses: z.boolean().default(false),
        /** Sandbox worker threads, each running one code or HTTP step at a time. */
        sandboxWorkers: z.coerce.number().int().min(1).max(64).default(2),
      })
      .prefault({}),
    /** AIC-02, AIC-03: the OAuth server AI clients authorize through. */
    mcp: z
      .strictObject({
        /**
         * Whether a client metadata document (AIC-03) may be fetched from this machine, over
         * https trusting `clientMetadataCaFile`. The server fetches those URLs for anyone who
         * starts an authorization, so elsewhere they must be public addresses; only for
         * development and tests.
         */
        allowLoopbackClientMetadata: z.boolean().default(false),
        clientMetadataCaFile: z.string().min(1).optional(),
      })
      .prefault({}),
    /** IDN-06: enterprise single sign-on per workspace. */
    sso: z
      .strictObject({
        /** DNS servers (`ip` or `ip:port`) asked for domain-verification TXT records; empty means the system's. */
        dnsServers: z.array(z.string().min(1)).default([]),
        /** How far the IdP's clock may be from ours when SAML validity windows are checked. */
        clockSkewSeconds: z.coerce.number().int().min(0).max(300).default(60),
        /** How long a started SSO sign-in waits for the IdP's answer. */
        requestSeconds: seconds.max(3600).default(600),
        /**
         * Whether a workspace's OIDC connection may name an issuer on this machine over http.
         * The server fetches the issuer's documents, so an owner could otherwise point it at
         * internal services (SSRF); only for development and tests.
         */
        allowLoopbackIssuers: z.boolean().default(false),
      })
      .prefault({}),
    /** SES-01, SES-05: how long a signed-in session lives, idle and in total, and how often its token changes. */
    sessions: z
      .strictObject({
        idleTimeoutSeconds: seconds.default(30 * 60),
        absoluteTimeoutSeconds: seconds.default(12 * 3600),
        rotationSeconds: seconds.default(15 * 60),
        /** How long a replaced token keeps working, for requests already in flight when it changed. */
        rotationGraceSeconds: seconds.default(30),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) {
      ctx.addIssue({ code: 'custom', path: ['tlsCert'], message: '--tls-cert and --tls-key go together' });
    }
    if (config.smtp && Boolean(config.smtp.user) !== Boolean(config.smtp.passwordFile)) {
      ctx.addIssue({ code: 'custom', path: ['smtp', 'user'], message: 'smtp.user and smtp.passwordFile go together' });
    }
    const providerIds = config.oidc.providers.map((provider) => provider.id);
    providerIds.forEach((id, index) => {
      if (providerIds.indexOf(id) !== index) ctx.addIssue({ code: 'custom', path: ['oidc', 'providers', index, 'id'], message: `provider id ${id} is used twice` });
    });
    const sessions = config.sessions;
    if (sessions.idleTimeoutSeconds > sessions.absoluteTimeoutSeconds) {
      ctx.addIssue({ code: 'custom', path: ['sessions', 'idleTimeoutSeconds'], message: 'must not exceed absoluteTimeoutSeconds' });
    }
    if (sessions.rotationGraceSeconds >= sessions.rotationSeconds) {
      ctx.addIssue({ code: 'custom', path: ['sessions', 'rotationGraceSeconds'], message: 'must be shorter than rotationSeconds' });
    }
  });

export type EnclaveConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Environment variables each setting may come from; the flag of the same name wins. */
const ENVIRONMENT: Record<string, keyof ConfigInput> = {
  ENCLAVE_MODE: 'mode',
  ENCLAVE_DATA_DIR: 'dataDir',
  ENCLAVE_HOST: 'host',
  ENCLAVE_PORT: 'port',
  ENCLAVE_PUBLIC_URL: 'publicUrl',
  ENCLAVE_TLS_CERT: 'tlsCert',
  ENCLAVE_TLS_KEY: 'tlsKey',
  ENCLAVE_MASTER_KEY: 'masterKey',
  ENCLAVE_LOG_LEVEL: 'logLevel',
  ENCLAVE_SECURITY_CONTACT: 'securityContact',
};

function fromEnvironment(env: NodeJS.ProcessEnv): Partial<ConfigInput> {
  const values: Record<string, unknown> = {};
  for (const [variable, key] of Object.entries(ENVIRONMENT)) {
    const value = env[variable];
    if (value !== undefined && value !== '') values[key] = value;
  }
  if (env.ENCLAVE_TRUST_PROXY) values.trustProxy = env.ENCLAVE_TRUST_PROXY.split(',').map((s) => s.trim());
  return values as Partial<ConfigInput>;
}

function fromFile(path: string): Partial<ConfigInput> {
  if (!existsSync(path)) throw new ConfigError(`config file ${path} does not exist`);
  const parsed: unknown = parseYaml(readFileSync(path, 'utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a mapping of settings`);
  }
  return parsed as Partial<ConfigInput>;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`)
    .join('; ');
}

/** Merges file < environment < flags, validates, and resolves the data directory. */
export function loadConfig(options: {
  file?: string;
  env?: NodeJS.ProcessEnv;
  flags?: Partial<ConfigInput>;
}): EnclaveConfig {
  const env = options.env ?? {};
  const file = options.file ?? env.ENCLAVE_CONFIG;
  const defined = Object.fromEntries(Object.entries(options.flags ?? {}).filter(([, v]) => v !== undefined));
  const merged = { ...(file ? fromFile(file) : {}), ...fromEnvironment(env), ...defined };
  const result = configSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(`invalid configuration: ${describeIssues(result.error)}`);
  return { ...result.data, dataDir: resolve(result.data.dataDir) };
}

export function isDefaultDataDir(config: EnclaveConfig): boolean {
  return config.dataDir === resolve(DEFAULT_DATA_DIR);
}

/** Whether browsers reach Enclave over HTTPS, directly or through a TLS-terminating proxy. */
export function servesHttps(config: EnclaveConfig): boolean {
  return Boolean(config.tlsCert) || config.publicUrl?.startsWith('https:') === true;
}

export function publicOrigin(config: EnclaveConfig, listeningPort: number): string {
  if (config.publicUrl) return new URL(config.publicUrl).origin;
  const scheme = config.tlsCert ? 'https' : 'http';
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${scheme}://${host}:${listeningPort}`;
}
