import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A secret sealed under its own data key, and that data key sealed under the workspace vault key. */
export interface Sealed {
  wrappedKey: Buffer;
  ciphertext: Buffer;
}

/** Decryption failed: wrong key, wrong associated data (moved or re-scoped), or altered bytes. */
export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
}

/** AES-256-GCM; the output is iv ‖ tag ‖ ciphertext. A fresh random IV per message, so one key never repeats an IV in practice. */
function encrypt(key: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function decrypt(key: Buffer, aad: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new EnvelopeError('sealed value is truncated');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES }).setAAD(aad);
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new EnvelopeError('sealed value does not open with this key and context');
  }
}

/**
 * Envelope encryption (VLT-01): each secret gets a fresh 256-bit data key. `keyContext`
 * binds the wrapped data key to where it belongs (workspace and credential), `dataContext`
 * binds the secret to that and its scope, so a ciphertext copied elsewhere does not open.
 * Rotating the vault key re-wraps data keys without touching the secrets.
 */
export function seal(vaultKey: Buffer, context: { key: Buffer; data: Buffer }, plaintext: Buffer): Sealed {
  const dataKey = randomBytes(32);
  try {
    return { wrappedKey: encrypt(vaultKey, context.key, dataKey), ciphertext: encrypt(dataKey, context.data, plaintext) };
  } finally {
    dataKey.fill(0);
  }
}

export function open(vaultKey: Buffer, context: { key: Buffer; data: Buffer }, sealed: Sealed): Buffer {
  const dataKey = decrypt(vaultKey, context.key, sealed.wrappedKey);
  try {
    return decrypt(dataKey, context.data, sealed.ciphertext);
  } finally {
    dataKey.fill(0);
  }
}
