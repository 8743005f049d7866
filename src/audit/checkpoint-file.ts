import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DIR_MODE, FILE_MODE } from '../core/database.ts';
import { canonicalJson } from './canonical-json.ts';
import type { AuditCheckpoint } from './signing.ts';

/**
 * The checkpoint file is a second, append-only witness outside the database: someone
 * who rewrites the database must also rewrite this file, which may live on other media.
 * One canonical JSON object per line.
 */
export function appendCheckpointLine(path: string, checkpoint: AuditCheckpoint): void {
  const creating = !existsSync(path);
  if (creating) mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
  const line = Buffer.from(`${checkpointLine(checkpoint)}\n`);
  const fd = openSync(path, 'a', FILE_MODE);
  try {
    // One write per line, so with O_APPEND two processes' lines never interleave.
    if (writeSync(fd, line) !== line.length) throw new Error(`short write to ${path}`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (creating) syncDirectory(dirname(path));
}

export function checkpointLine(checkpoint: AuditCheckpoint): string {
  return canonicalJson({
    scope: checkpoint.scope,
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    signed_at: checkpoint.signedAt,
    key_version: checkpoint.keyVersion,
    signature: checkpoint.signature,
  });
}

export interface CheckpointFileContents {
  checkpoints: AuditCheckpoint[];
  /** The first line that is not a checkpoint; reading stops there. */
  malformedLine?: number;
}

/** A missing file reads as empty: the verifier then reports every table checkpoint as unwitnessed. */
export function readCheckpointFile(path: string): CheckpointFileContents {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [] };
    throw error;
  }
  const checkpoints: AuditCheckpoint[] = [];
  const lines = text.split('\n');
  // A complete file ends with a newline, leaving one empty string after the split.
  if (lines.at(-1) === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    const checkpoint = parseCheckpoint(line);
    if (!checkpoint) return { checkpoints, malformedLine: index + 1 };
    checkpoints.push(checkpoint);
  }
  return { checkpoints };
}

const HASH = /^[0-9a-f]{64}$/;

function parseCheckpoint(line: string): AuditCheckpoint | undefined {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof fields !== 'object' || fields === null) return undefined;
  const { scope, seq, hash, signed_at, key_version, signature } = fields;
  if (
    typeof scope !== 'string' ||
    !Number.isSafeInteger(seq) ||
    (seq as number) < 1 ||
    typeof hash !== 'string' ||
    !HASH.test(hash) ||
    typeof signed_at !== 'string' ||
    !Number.isSafeInteger(key_version) ||
    typeof signature !== 'string'
  ) {
    return undefined;
  }
  return { scope, seq: seq as number, hash, signedAt: signed_at, keyVersion: key_version as number, signature };
}

function syncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
