import type { Migration } from '../../core/migrations.ts';

/**
 * CRY-03: the key version each workspace's database and vault are currently under. The
 * master key version a seed is wrapped by is in the wrapped seed's own header.
 */
export const workspaceKeyVersionColumns: Migration = {
  name: 'workspace key versions',
  sql: `
    ALTER TABLE workspace ADD COLUMN db_key_version INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE workspace ADD COLUMN vault_key_version INTEGER NOT NULL DEFAULT 1;
  `,
};
