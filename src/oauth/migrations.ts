import type { Migration } from '../core/migrations.ts';

/**
 * AIC-02, AIC-04, in the control database: what the OAuth server (oidc-provider) keeps —
 * codes, access and refresh tokens, grants, registered clients, interactions — is keyed by
 * the SHA-256 of its id, and the id is never stored: for tokens and codes the id is the
 * secret itself. `mcp_grant` binds a grant to the one workspace the person chose.
 */
export const oauthTables: Migration = {
  name: 'oauth authorization server',
  sql: `
    CREATE TABLE oauth_artifact (
      model TEXT NOT NULL,
      id_hash TEXT NOT NULL,
      grant_id TEXT,
      uid_hash TEXT,
      payload TEXT NOT NULL,
      expires_at INTEGER,
      consumed_at INTEGER,
      PRIMARY KEY (model, id_hash)
    ) STRICT;
    CREATE INDEX oauth_artifact_grant ON oauth_artifact(grant_id);
    CREATE INDEX oauth_artifact_uid ON oauth_artifact(model, uid_hash);
    CREATE TABLE mcp_grant (
      grant_id TEXT PRIMARY KEY,
      workspace_id TEXT NOT NULL REFERENCES workspace(id),
      user_id TEXT NOT NULL,
      client_id TEXT NOT NULL,
      client_name TEXT NOT NULL,
      scopes TEXT NOT NULL,
      created_at TEXT NOT NULL,
      last_used_at TEXT
    ) STRICT;
    CREATE INDEX mcp_grant_workspace ON mcp_grant(workspace_id);
    CREATE INDEX mcp_grant_user ON mcp_grant(user_id);
  `,
};
