import type { Migration } from '../core/migrations.ts';

/** AIC-05: personal MCP tokens, one person's access to one workspace; only the SHA-256 of each is kept. */
export const mcpTokenTable: Migration = {
  name: 'personal mcp tokens',
  sql: `
    CREATE TABLE mcp_token (
      id TEXT PRIMARY KEY,
      workspace_id TEXT NOT NULL REFERENCES workspace(id),
      user_id TEXT NOT NULL,
      name TEXT NOT NULL,
      scopes TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      hint TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT,
      last_used_at TEXT,
      revoked_at TEXT
    ) STRICT;
    CREATE INDEX mcp_token_workspace_user ON mcp_token(workspace_id, user_id);
    CREATE INDEX mcp_token_user ON mcp_token(user_id);
  `,
};
