import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { canonicalJson } from '../audit/canonical-json.ts';
import { isId } from '../core/ids.ts';

export const MANIFEST_NAME = 'manifest.json';

/**
 * Where each file of a backup lives, relative to the backup directory: the data dir's own
 * layout plus `.age`, so a restore decrypts every file to its place. Only these shapes are
 * accepted when reading, so an edited manifest cannot steer a restore outside its directory.
 */
export function backupFilePath(kind: BackupFileKind, workspaceId?: string): string {
  const name = kind === 'database' ? (workspaceId ? 'workspace.db' : 'control.db') : 'audit-checkpoints.jsonl';
  return workspaceId ? `workspaces/${workspaceId}/${name}.age` : `control/${name}.age`;
}

function isBackupFilePath(path: string): boolean {
  const control = /^control\/(control\.db|audit-checkpoints\.jsonl)\.age$/.exec(path);
  if (control) return true;
  const workspace = /^workspaces\/([^/]+)\/(workspace\.db|audit-checkpoints\.jsonl)\.age$/.exec(path);
  return workspace !== null && isId('ws', workspace[1]!);
}

const fileSchema = z.strictObject({
  path: z.string().refine(isBackupFilePath, 'is not a file an Enclave backup holds'),
  kind: z.enum(['database', 'audit-checkpoints']),
  /** Absent for the control plane's files. */
  workspaceId: z.string().optional(),
  /** Size before age encryption. */
  plainBytes: z.number().int().nonnegative(),
  /** Size and SHA-256 of the .age file as written. */
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.strictObject({
  format: z.literal('enclave-backup'),
  formatVersion: z.literal(1),
  enclaveVersion: z.string(),
  createdAt: z.string(),
  /** The age recipient every file is encrypted to; restoring needs its identity. */
  recipient: z.string(),
  workspaces: z.array(z.string()),
  files: z.array(fileSchema),
  /**
   * HMAC-SHA256 of the rest (canonical JSON) under the master key's `backup` key. Anyone
   * holding the recipient can write age files, so the checksums alone would not stop a
   * file being swapped with the manifest edited to match; this MAC does.
   */
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});

export type BackupFileKind = z.infer<typeof fileSchema>['kind'];
export type BackupFile = z.infer<typeof fileSchema>;
export type BackupManifest = z.infer<typeof manifestSchema>;

export class BackupCorruptError extends Error {
  override name = 'BackupCorruptError';
  /** The file at fault, relative to the backup directory. */
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.file = file;
  }
}

export function readManifest(backupDir: string): BackupManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(backupDir, MANIFEST_NAME), 'utf8'));
  } catch {
    throw new BackupCorruptError(MANIFEST_NAME, 'is missing or not JSON');
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) throw new BackupCorruptError(MANIFEST_NAME, `is not an Enclave backup manifest (${result.error.issues[0]!.path.join('.')}: ${result.error.issues[0]!.message})`);
  return result.data;
}

function macOf(body: Omit<BackupManifest, 'mac'>, key: Buffer): string {
  return createHmac('sha256', key).update(canonicalJson(body)).digest('hex');
}

export function sealManifest(body: Omit<BackupManifest, 'mac'>, key: Buffer): BackupManifest {
  return { ...body, mac: macOf(body, key) };
}

export function manifestMacValid(manifest: BackupManifest, key: Buffer): boolean {
  const { mac, ...body } = manifest;
  return timingSafeEqual(Buffer.from(mac, 'hex'), Buffer.from(macOf(body, key), 'hex'));
}
