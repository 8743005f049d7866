import type { Migration } from '../core/migrations.ts';

/**
 * Appended to both the control-plane and the per-workspace migration lists, so every
 * name is prefixed `audit_`. STRICT tables stop a value of another type (a number where
 * text belongs) from hashing differently than it reads.
 */
export const auditMigrations: Migration[] = [
  {
    name: 'audit: hash-chained events and signed checkpoints',
    sql: `
      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        actor_type TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target_type TEXT,
        target_id TEXT,
        ip TEXT,
        user_agent TEXT,
        request_id TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;

      CREATE TABLE audit_checkpoints (
        seq INTEGER PRIMARY KEY,
        hash TEXT NOT NULL,
        signed_at TEXT NOT NULL,
        key_version INTEGER NOT NULL,
        signature TEXT NOT NULL
      ) STRICT;

      -- Defence in depth against application bugs: nothing in Enclave edits history.
      -- Someone holding the database key can drop these; the hash chain catches that.
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

      -- Retention may remove only rows older than the newest checkpoint, which then
      -- anchors the first remaining row; the head itself is never removed.
      CREATE TRIGGER audit_events_keep_head BEFORE DELETE ON audit_events
      WHEN OLD.seq >= (SELECT coalesce(max(seq), 0) FROM audit_checkpoints)
      BEGIN SELECT RAISE(ABORT, 'audit events newer than the last checkpoint cannot be removed'); END;

      CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
      BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;

      CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
      BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
    `,
  },
];
