import { agentTables } from '../agents/migrations.ts';
import { alertTables, credentialNetworkTable } from '../alerts/migrations.ts';
import { auditTables } from '../audit/migrations.ts';
import type { Migration } from '../core/migrations.ts';
import { closedAccountTable } from '../lifecycle/closure/migrations.ts';
import { exportTables } from '../lifecycle/export/migrations.ts';
import { workspaceKeyVersionColumns } from '../lifecycle/rotation/migrations.ts';
import { mfaEmailCodeTables } from '../mfa/migrations.ts';
import { oauthTables } from '../oauth/migrations.ts';
import { mailboxProofTable } from '../identity/mailbox-proof.ts';
import { oidcPendingLoginTables } from '../oidc/migrations.ts';
import { passkeyTables } from '../passkeys/migrations.ts';
import { proofOfWorkTables } from '../proof-of-work/migrations.ts';
import { scimTables } from '../scim/migrations.ts';
import { siemCursorTable } from '../monitor/migrations.ts';
import { ssoTables } from '../sso/migrations.ts';
import { workflowHookRouteTable } from '../workflows/migrations.ts';
import { mcpTokenTable } from '../mcp-tokens/migrations.ts';

/** The control database's schema history. Append only: released steps never change. */
export const controlMigrations: readonly Migration[] = [
  auditTables,
  {
    name: 'workspaces and api keys',
    sql: `
      CREATE TABLE workspace (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        seed_wrapped BLOB NOT NULL,
        created_at TEXT NOT NULL,
        deleted_at TEXT
      ) STRICT;
      CREATE TABLE api_key (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspace(id),
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        hint TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        last_used_at TEXT,
        revoked_at TEXT
      ) STRICT;
      CREATE INDEX api_key_workspace ON api_key(workspace_id);
    `,
  },
  {
    // better-auth's tables for email + password and sessions, as its own schema generator
    // writes them for SQLite (names and types included), so its runtime schema check passes;
    // the session table carries Enclave's rotation columns. Memberships join users to workspaces.
    name: 'identity and workspace members',
    sql: `
      CREATE TABLE "user" (
        "id" text NOT NULL PRIMARY KEY,
        "name" text NOT NULL,
        "email" text NOT NULL UNIQUE,
        "emailVerified" integer NOT NULL,
        "image" text,
        "createdAt" date NOT NULL,
        "updatedAt" date NOT NULL
      );
      CREATE TABLE "session" (
        "id" text NOT NULL PRIMARY KEY,
        "expiresAt" date NOT NULL,
        "token" text NOT NULL UNIQUE,
        "createdAt" date NOT NULL,
        "updatedAt" date NOT NULL,
        "ipAddress" text,
        "userAgent" text,
        "userId" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
        "previousToken" text,
        "previousTokenExpiresAt" date,
        "tokenIssuedAt" date
      );
      CREATE TABLE "account" (
        "id" text NOT NULL PRIMARY KEY,
        "accountId" text NOT NULL,
        "providerId" text NOT NULL,
        "userId" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
        "accessToken" text,
        "refreshToken" text,
        "idToken" text,
        "accessTokenExpiresAt" date,
        "refreshTokenExpiresAt" date,
        "scope" text,
        "password" text,
        "createdAt" date NOT NULL,
        "updatedAt" date NOT NULL
      );
      CREATE TABLE "verification" (
        "id" text NOT NULL PRIMARY KEY,
        "identifier" text NOT NULL,
        "value" text NOT NULL,
        "expiresAt" date NOT NULL,
        "createdAt" date NOT NULL,
        "updatedAt" date NOT NULL
      );
      CREATE INDEX "session_userId_idx" ON "session" ("userId");
      CREATE INDEX "session_previousToken_idx" ON "session" ("previousToken");
      CREATE INDEX "account_userId_idx" ON "account" ("userId");
      CREATE INDEX "verification_identifier_idx" ON "verification" ("identifier");
      CREATE TABLE workspace_member (
        workspace_id TEXT NOT NULL REFERENCES workspace(id),
        user_id TEXT NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, user_id)
      ) STRICT;
      CREATE INDEX workspace_member_user ON workspace_member(user_id);
    `,
  },
  {
    name: 'sign-in failures for account lockout',
    sql: `
      CREATE TABLE sign_in_failure (
        subject TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        last_failure_at TEXT NOT NULL,
        locked_until TEXT
      ) STRICT;
    `,
  },
  {
    // MFA (IDN-04, IDN-05): TOTP secrets sealed with AES-256-GCM, backup codes as scrypt
    // hashes only, the workspace policy, and on the session the deadline of a sign-in that
    // still owes its second factor (null once complete) with the attempts spent on it.
    name: 'multi-factor authentication',
    sql: `
      CREATE TABLE mfa_totp (
        user_id TEXT PRIMARY KEY REFERENCES "user"(id) ON DELETE CASCADE,
        secret_sealed BLOB NOT NULL,
        created_at TEXT NOT NULL,
        confirmed_at TEXT,
        last_used_step INTEGER
      ) STRICT;
      CREATE TABLE mfa_backup_code (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
        code_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        used_at TEXT
      ) STRICT;
      CREATE INDEX mfa_backup_code_user ON mfa_backup_code(user_id);
      CREATE TABLE workspace_mfa_policy (
        workspace_id TEXT PRIMARY KEY REFERENCES workspace(id),
        require_mfa INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      ALTER TABLE "session" ADD COLUMN "mfaPendingUntil" date;
      ALTER TABLE "session" ADD COLUMN "mfaAttempts" integer NOT NULL DEFAULT 0;
    `,
  },
  {
    // Development only: mails kept instead of sent when no SMTP is configured (src/email/dev-outbox.ts).
    name: 'development mail outbox',
    sql: `
      CREATE TABLE dev_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    // Invitations by email: the mailed token is stored only as its SHA-256 (CRY-02); an
    // invitation is pending until it is accepted, revoked or expires.
    name: 'workspace invitations',
    sql: `
      CREATE TABLE workspace_invitation (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspace(id),
        email TEXT NOT NULL,
        role TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        invited_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        accepted_at TEXT,
        accepted_by TEXT,
        revoked_at TEXT
      ) STRICT;
      CREATE INDEX workspace_invitation_workspace ON workspace_invitation(workspace_id, email);
    `,
  },
  ssoTables,
  mfaEmailCodeTables,
  oidcPendingLoginTables,
  scimTables,
  agentTables,
  passkeyTables,
  alertTables,
  {
    // DAT-02, CRY-04: when a deleted workspace's seed was destroyed; the row stays as a tombstone for the audit trail.
    name: 'workspace shredding',
    sql: 'ALTER TABLE workspace ADD COLUMN shredded_at TEXT;',
  },
  proofOfWorkTables,
  mailboxProofTable,
  oauthTables,
  exportTables,
  credentialNetworkTable,
  workspaceKeyVersionColumns,
  siemCursorTable,
  closedAccountTable,
  workflowHookRouteTable,
  mcpTokenTable,
];
