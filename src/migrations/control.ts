import { auditMigrations } from '../audit/migrations.ts';
import type { Migration } from '../core/migrations.ts';

/** The control database's schema history. Append only: released steps never change. */
export const controlMigrations: readonly Migration[] = [
  ...auditMigrations,
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
];
