import type { Migration } from '../core/migrations.ts';

/**
 * IDN-06, in the control database: a sign-in arrives with only an email address (or a
 * connection id), before any workspace is known, and "a domain is verified by one workspace
 * only" is a rule across all workspaces, so both tables live beside the workspace list.
 * The IdP's client secret or signing certificate is sealed under the workspace's own vault
 * key (src/sso/secret-box.ts): the control database is encrypted as a whole, and a
 * crypto-shredded workspace leaves nothing of its IdP behind.
 */
/*
 * A SAML answer arrives as a cross-site POST that carries no SameSite=Lax cookie, so the ACS
 * only validates it and parks who it names (sso_saml_completion, a minute, single use); the
 * browser is then redirected to a same-site GET that must bring the cookie of the browser
 * that started the sign-in (login CSRF), which is where the session opens.
 */
export const ssoTables: Migration = {
  name: 'enterprise single sign-on',
  sql: `
    CREATE TABLE sso_domain (
      workspace_id TEXT NOT NULL REFERENCES workspace(id),
      domain TEXT NOT NULL,
      challenge TEXT NOT NULL,
      created_at TEXT NOT NULL,
      verified_at TEXT,
      PRIMARY KEY (workspace_id, domain)
    ) STRICT;
    CREATE UNIQUE INDEX sso_domain_verified ON sso_domain(domain) WHERE verified_at IS NOT NULL;
    CREATE TABLE sso_connection (
      id TEXT PRIMARY KEY,
      workspace_id TEXT NOT NULL REFERENCES workspace(id),
      domain TEXT NOT NULL UNIQUE,
      protocol TEXT NOT NULL CHECK (protocol IN ('oidc', 'saml')),
      settings TEXT NOT NULL,
      secret_sealed BLOB NOT NULL,
      default_role TEXT NOT NULL,
      created_at TEXT NOT NULL,
      FOREIGN KEY (workspace_id, domain) REFERENCES sso_domain(workspace_id, domain)
    ) STRICT;
    CREATE TABLE sso_saml_request (
      id_hash TEXT PRIMARY KEY,
      connection_id TEXT NOT NULL REFERENCES sso_connection(id) ON DELETE CASCADE,
      binding_hash TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE sso_saml_completion (
      code_hash TEXT PRIMARY KEY,
      connection_id TEXT NOT NULL REFERENCES sso_connection(id) ON DELETE CASCADE,
      identity TEXT NOT NULL,
      binding_hash TEXT NOT NULL,
      expires_at TEXT NOT NULL
    ) STRICT;
  `,
};
