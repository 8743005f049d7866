import { hkdfSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { aeadOpen, aeadSeal } from '../core/aead.ts';
import type { Keyring } from '../core/keyring.ts';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

/**
 * TOTP secrets must be readable to check codes, so they are sealed (AES-256-GCM) rather
 * than hashed, under a key of their own: HKDF from the control database key with an info
 * string used nowhere else (as secret.ts does for the cookie secret). A row read through
 * SQL, a dump or a debugging session shows only ciphertext. The user id is the associated
 * data, so a sealed secret copied to another account does not open.
 */
export class TotpSecretBox {
  readonly #key: Buffer;

  constructor(keyring: Keyring) {
    this.#key = Buffer.from(hkdfSync('sha256', keyring.controlKey('db'), 'enclave:control', 'enclave:control:mfa-totp-secret:v1', 32));
  }

  seal(userId: string, secret: Buffer): Buffer {
    return aeadSeal(this.#key, Buffer.from(userId), secret);
  }

  open(userId: string, sealed: Buffer): Buffer {
    return aeadOpen(this.#key, Buffer.from(userId), sealed);
  }
}

const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** A backup code: 10 characters from 31 (about 50 bits), shown as `xxxxx-xxxxx`. */
export function newBackupCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Case, spaces and the dash do not matter when typing a code back. */
export function normalizeBackupCode(code: string): string {
  const chars = code.toLowerCase().replace(/[\s-]/g, '');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** ASVS 6.5.2: backup codes are kept only as salted scrypt hashes, `scrypt$<salt>$<hash>`. */
export async function hashBackupCode(code: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(normalizeBackupCode(code), salt, 32, SCRYPT);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function backupCodeMatches(code: string, stored: string): Promise<boolean> {
  const [, salt, hash] = stored.split('$');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(normalizeBackupCode(code), Buffer.from(salt, 'base64url'), expected.length, SCRYPT);
  return timingSafeEqual(actual, expected);
}
