import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, fsyncSync, closeSync, openSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * The agent's local state (AGT-04): its identity (agent.json, holding its private key) and
 * its sync progress (sync-state.json). Both are readable by their owner only — mode 0600 in
 * a 0700 directory — and written atomically (a temporary file, flushed, then renamed over
 * the old one), so a crash leaves either the old or the new file, never half of one.
 * Windows has no POSIX modes: there the files get the ACLs of the user's own directory.
 */

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;
const POSIX = process.platform !== 'win32';

export class StateError extends Error {
  override name = 'StateError';
}

export function ensureStateDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (POSIX && (statSync(dir).mode & 0o077) !== 0) chmodSync(dir, DIR_MODE);
}

export function writeFileAtomic(path: string, content: string): void {
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', FILE_MODE);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      renameSync(temporary, path);
      return;
    } catch (error) {
      // Windows refuses to replace a file another process (a virus scanner, an indexer) has open for a moment.
      const code = (error as NodeJS.ErrnoException).code;
      if (process.platform === 'win32' && attempt < 10 && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY')) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 * attempt);
        continue;
      }
      rmSync(temporary, { force: true });
      throw error;
    }
  }
}

/** Reads a state file, refusing one others can read: it may hold the agent's private key. */
function readPrivateFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  if (POSIX && (statSync(path).mode & 0o077) !== 0) throw new StateError(`${path} must be readable by its owner only: chmod 600 it`);
  return readFileSync(path, 'utf8');
}

const identitySchema = z.strictObject({
  version: z.literal(1),
  server: z.string().url(),
  agentId: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  pairedAt: z.string(),
  /** PKCS#8 PEM of the Ed25519 key; the public half is on the server. */
  privateKey: z.string(),
});
export type AgentIdentity = z.infer<typeof identitySchema>;

export const identityPath = (dir: string) => join(dir, 'agent.json');
export const syncStatePath = (dir: string) => join(dir, 'sync-state.json');

export function readIdentity(dir: string): AgentIdentity {
  const path = identityPath(dir);
  const text = readPrivateFile(path);
  if (text === undefined) throw new StateError(`no pairing in ${dir}: run \`enclave agent pair\` first (or pass --state-dir)`);
  const parsed = identitySchema.safeParse(safeJson(text));
  if (!parsed.success) throw new StateError(`${path} is not an agent state file this version understands`);
  return parsed.data;
}

export function writeIdentity(dir: string, identity: AgentIdentity): void {
  ensureStateDir(dir);
  writeFileAtomic(identityPath(dir), `${JSON.stringify(identity, null, 2)}\n`);
}

const fileProgressSchema = z.strictObject({
  /** Size and modification time of the file and its sidecar: while they stay the same, a finished file is not read again. */
  stamp: z.string(),
  /** SHA-256 of the file, its sidecar and the dataset schema it was sent under: a different one starts over. */
  fingerprint: z.string(),
  /**
   * Random, chosen when a sync of this content starts from its first batch and kept until it
   * is done: part of every batch id, so a restart re-sends the same ids, while the same content
   * sent again later (A, then B, then A again) gets new ones the server does not answer from
   * its idempotency memory.
   */
  syncId: z.string(),
  dataset: z.string(),
  totalBatches: z.number().int().min(0),
  /** How many batches from the start the server has acknowledged; the next run resumes after them. */
  acknowledgedBatches: z.number().int().min(0),
  rows: z.number().int().min(0),
  rejected: z.number().int().min(0),
  updatedAt: z.string(),
});
export type FileProgress = z.infer<typeof fileProgressSchema>;

const syncStateSchema = z.strictObject({
  version: z.literal(1),
  agentId: z.string(),
  files: z.record(z.string(), fileProgressSchema),
});
export type SyncState = z.infer<typeof syncStateSchema>;

export function readSyncState(dir: string, agentId: string): SyncState {
  const path = syncStatePath(dir);
  const text = readPrivateFile(path);
  if (text === undefined) return { version: 1, agentId, files: {} };
  const parsed = syncStateSchema.safeParse(safeJson(text));
  if (!parsed.success) throw new StateError(`${path} is damaged: delete it to sync every file again from the start (safe: rows are upserted)`);
  // Progress made by another pairing says nothing about what this agent's workspace holds.
  return parsed.data.agentId === agentId ? parsed.data : { version: 1, agentId, files: {} };
}

export function writeSyncState(dir: string, state: SyncState): void {
  writeFileAtomic(syncStatePath(dir), `${JSON.stringify(state)}\n`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
