import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { aeadOpen, aeadSeal } from './aead.ts';
import { DIR_MODE, FILE_MODE } from './database.ts';

/** Every use of key material gets its own derived key, so one can rotate or leak without the others. */
export type KeyPurpose = 'db' | 'vault' | 'audit-signing' | 'backup' | 'agent-signing';
export const KEY_PURPOSES: readonly KeyPurpose[] = ['db', 'vault', 'audit-signing', 'backup', 'agent-signing'];

export class KeyringError extends Error {
  override name = 'KeyringError';
}

const masterKeyFileSchema = z.strictObject({
  format: z.literal('enclave-master-key'),
  version: z.number().int().positive(),
  origin: z.enum(['init', 'development']),
  createdAt: z.string(),
  key: z.string().regex(/^[0-9a-f]{64}$/),
  /** CRY-03: present from the second version on: the control root, wrapped by this key. */
  controlRoot: z.string().regex(/^[0-9a-f]+$/).optional(),
});

export interface MasterKey {
  key: Buffer;
  version: number;
  /** `development` keys are created on the fly by `serve` in development mode and refused in production. */
  origin: 'init' | 'development' | 'environment';
  /**
   * CRY-03: what control-plane keys (other than the control database's own key) derive from.
   * The first master key is its own control root; a rotation carries the root over, wrapped by
   * the new key in its own file, so MFA secrets and audit and token signatures stay valid.
   */
  controlRoot?: Buffer;
}

export function masterKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'master.key');
}

function controlRootWrapKey(key: Buffer, version: number): Buffer {
  return hkdf(key, 'enclave', `enclave:control-root-wrap:v${version}`);
}

const CONTROL_ROOT_CONTEXT = Buffer.from('enclave:control-root');

/**
 * Writes a new master key file (never over an existing one). A rotation passes the next
 * version and the control root to carry over; the file is then the whole key material.
 */
export function createMasterKeyFile(
  dataDir: string,
  origin: 'init' | 'development',
  options: { path?: string; version?: number; controlRoot?: Buffer; key?: Buffer } = {},
): void {
  const path = options.path ?? masterKeyPath(dataDir);
  if (existsSync(path)) throw new KeyringError(`a master key already exists at ${path}; refusing to overwrite it`);
  mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
  const version = options.version ?? 1;
  const key = options.key ?? randomBytes(32);
  const file = {
    format: 'enclave-master-key',
    version,
    origin,
    createdAt: new Date().toISOString(),
    key: key.toString('hex'),
    ...(options.controlRoot ? { controlRoot: aeadSeal(controlRootWrapKey(key, version), CONTROL_ROOT_CONTEXT, options.controlRoot).toString('hex') } : {}),
  };
  // Written aside and linked into place: a process killed meanwhile never leaves half a key file (CRY-03 resumes from it).
  const staging = `${path}.${process.pid}.tmp`;
  writeFileSync(staging, `${JSON.stringify(file, null, 2)}\n`, { mode: FILE_MODE });
  try {
    linkSync(staging, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyringError(`a master key already exists at ${path}; refusing to overwrite it`);
    throw error;
  } finally {
    rmSync(staging, { force: true });
  }
}

/** Reads the master key file, refusing one that anybody but its owner can read (ACC-05). */
export function readMasterKeyFile(dataDir: string, path = masterKeyPath(dataDir)): MasterKey | undefined {
  if (!existsSync(path)) return undefined;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new KeyringError(
      `master key file ${path} has mode 0${mode.toString(8)}, readable by others; run: chmod 600 ${path}`,
    );
  }
  const parsed = masterKeyFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new KeyringError(`master key file ${path} is not a valid Enclave master key`);
  const { version, origin } = parsed.data;
  const key = Buffer.from(parsed.data.key, 'hex');
  if (parsed.data.controlRoot === undefined) {
    // Only the first key is its own control root; a later version without one would derive the wrong control keys.
    if (version !== 1) throw new KeyringError(`master key file ${path} (version ${version}) lacks its control root`);
    return { key, version, origin };
  }
  try {
    return { key, version, origin, controlRoot: aeadOpen(controlRootWrapKey(key, version), CONTROL_ROOT_CONTEXT, Buffer.from(parsed.data.controlRoot, 'hex')) };
  } catch {
    throw new KeyringError(`master key file ${path} is damaged: its control root does not decrypt`);
  }
}

function hkdf(ikm: Buffer, salt: Buffer | string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
}

const WRAP_FORMAT = 1;
/** A wrapped seed: format byte, master key version, then IV (12), tag (16) and the 32-byte seed. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** CRY-03: the master key version a wrapped seed says it is wrapped by (a resumed rotation re-wraps only the others). */
export function wrappedSeedMasterVersion(wrapped: Buffer): number | undefined {
  return wrapped.length === 5 + IV_BYTES + TAG_BYTES + 32 && wrapped.readUInt8(0) === WRAP_FORMAT ? wrapped.readUInt32BE(1) : undefined;
}

/** The workspace id as associated data: a wrapped seed moved to another workspace fails. */
function seedContext(workspaceId: string): Buffer {
  return Buffer.from(`enclave:workspace-seed:${workspaceId}`);
}

/**
 * Holds the master key and performs the only operations allowed with it: wrapping and
 * unwrapping workspace seeds, and deriving control-plane keys. Knows nothing of HTTP.
 */
export class Keyring {
  readonly masterKeyVersion: number;
  readonly masterKeyOrigin: MasterKey['origin'];
  readonly #master: Buffer;
  readonly #controlRoot: Buffer;
  readonly #wrapKey: Buffer;

  constructor(master: MasterKey) {
    this.#master = master.key;
    this.#controlRoot = master.controlRoot ?? master.key;
    this.masterKeyVersion = master.version;
    this.masterKeyOrigin = master.origin;
    this.#wrapKey = hkdf(master.key, 'enclave', `enclave:seed-wrap:v${master.version}`);
  }

  newSeed(): Buffer {
    return randomBytes(32);
  }

  /** AES-256-GCM with the workspace id as associated data: a wrapped seed moved to another workspace fails. */
  wrapSeed(workspaceId: string, seed: Buffer): Buffer {
    const header = Buffer.alloc(5);
    header.writeUInt8(WRAP_FORMAT, 0);
    header.writeUInt32BE(this.masterKeyVersion, 1);
    return Buffer.concat([header, aeadSeal(this.#wrapKey, seedContext(workspaceId), seed)]);
  }

  unwrapSeed(workspaceId: string, wrapped: Buffer): Buffer {
    if (wrapped.length !== 5 + IV_BYTES + TAG_BYTES + 32 || wrapped.readUInt8(0) !== WRAP_FORMAT) {
      throw new KeyringError('the workspace seed is not in a known format');
    }
    if (wrapped.readUInt32BE(1) !== this.masterKeyVersion) {
      throw new KeyringError('the workspace seed is wrapped by another master key version');
    }
    try {
      return aeadOpen(this.#wrapKey, seedContext(workspaceId), wrapped.subarray(5));
    } catch {
      throw new KeyringError('the workspace seed does not decrypt with this master key');
    }
  }

  /**
   * Keys for the control plane itself (its audit signatures, and the secrets derived from
   * `controlKey('db')`). They derive from the control root, which outlives master key rotations.
   */
  controlKey(purpose: KeyPurpose, version = 1): Buffer {
    return hkdf(this.#controlRoot, 'enclave:control', `enclave:control:${purpose}:v${version}`);
  }

  /**
   * The control database's encryption key. It derives from the master key itself and its
   * version (the first master key gives exactly `controlKey('db')`), so a master key
   * rotation rekeys the control database and the old master key no longer opens it (CRY-03).
   */
  controlDatabaseKey(): Buffer {
    return hkdf(this.#master, 'enclave:control', `enclave:control:db:v${this.masterKeyVersion}`);
  }
}

/**
 * A workspace's key for one purpose: HKDF-SHA256 over its random seed. The seed is only
 * reachable through the master key (it is stored wrapped), so the key depends on both;
 * deriving from the seed rather than the master itself means rotating the master key is a
 * re-wrap of seeds, not a re-encryption of every workspace, and destroying the seed
 * destroys every key of the workspace (crypto-shredding, CRY-04).
 */
export function deriveWorkspaceKey(seed: Buffer, workspaceId: string, purpose: KeyPurpose, version = 1): Buffer {
  return hkdf(seed, `enclave:workspace:${workspaceId}`, `enclave:workspace:${purpose}:v${version}`);
}
