import type { Migration } from '../core/migrations.ts';

/**
 * The audit tables, one step that both the control-plane and the per-workspace migration
 * lists name explicitly, so every name is prefixed `audit_`. A later change to them is a
 * new step appended to both lists, never an edit here. STRICT tables stop a value of another type (a number where
 * text belongs) from hashing differently than it reads. Hashes are stored as their 32
 * raw bytes: every byte of a row is encrypted, written to the WAL and copied back at
 * checkpoint, and hex text would make each row a third larger.
 */
export const auditTables: Migration = {
  name: 'audit: hash-chained events, signed checkpoints and retention trims',
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
      -- Spelled as ORs: with IN, SQLite spends more on this check than on the rest of the row.
      outcome TEXT NOT NULL CHECK (outcome = 'success' OR outcome = 'failure' OR outcome = 'denied'),
      details TEXT NOT NULL,
      prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
      hash BLOB NOT NULL CHECK (length(hash) = 32)
    ) STRICT;

    -- Signed statements about the chain: checkpoints of its head, and the retention
    -- trims that removed its oldest events.
    CREATE TABLE audit_checkpoints (
      kind TEXT NOT NULL CHECK (kind IN ('checkpoint', 'trim')),
      seq INTEGER NOT NULL CHECK (seq >= 1),
      hash BLOB NOT NULL CHECK (length(hash) = 32),
      signed_at TEXT NOT NULL,
      key_version INTEGER NOT NULL,
      signature TEXT NOT NULL,
      PRIMARY KEY (kind, seq)
    ) STRICT, WITHOUT ROWID;

    -- Defence in depth against application bugs: nothing in Enclave edits history.
    -- Someone holding the database key can drop these; the hash chain catches that.
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

    -- Only a signed trim removes events: the newest trim anchors the first remaining
    -- event, and a trim is never signed at the head, so the head is never removed.
    CREATE TRIGGER audit_events_trim_only BEFORE DELETE ON audit_events
    WHEN OLD.seq > (SELECT coalesce(max(seq), 0) FROM audit_checkpoints WHERE kind = 'trim')
    BEGIN SELECT RAISE(ABORT, 'audit events can only be removed by a signed retention trim'); END;

    CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;

    CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
  `,
};
