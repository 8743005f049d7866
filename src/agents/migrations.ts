import type { Migration } from '../core/migrations.ts';

/**
 * AGT-01, AGT-02, in the control database: an agent presents its pairing token, and later
 * its id, before any workspace is known, so both are looked up beside the workspace list
 * (like API keys). Pairing tokens are stored only as SHA-256; an agent only as its Ed25519
 * public key; a pending challenge only as the SHA-256 of its nonce.
 */
export const agentTables: Migration = {
  name: 'paired agents',
  sql: `
    CREATE TABLE agent_pairing_token (
      id TEXT PRIMARY KEY,
      workspace_id TEXT NOT NULL REFERENCES workspace(id),
      name TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      used_at TEXT,
      agent_id TEXT
    ) STRICT;
    CREATE INDEX agent_pairing_token_workspace ON agent_pairing_token(workspace_id);
    CREATE TABLE agent (
      id TEXT PRIMARY KEY,
      workspace_id TEXT NOT NULL REFERENCES workspace(id),
      name TEXT NOT NULL,
      public_key TEXT NOT NULL,
      paired_at TEXT NOT NULL,
      last_seen_at TEXT,
      revoked_at TEXT
    ) STRICT;
    CREATE INDEX agent_workspace ON agent(workspace_id);
    CREATE TABLE agent_challenge (
      nonce_hash TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL REFERENCES agent(id),
      expires_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX agent_challenge_agent ON agent_challenge(agent_id, expires_at);
  `,
};
