import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Decryption failed: wrong key, wrong associated data (the value was moved), or altered bytes. */
export class AeadError extends Error {
  override name = 'AeadError';
}

/**
 * AES-256-GCM, the one way Enclave seals a value under a key: a fresh random 96-bit IV per
 * message, a 128-bit tag, and associated data naming where the value belongs. The output
 * is iv ‖ tag ‖ ciphertext.
 */
export function aeadSeal(key: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES }).setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function aeadOpen(key: Buffer, aad: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new AeadError('sealed value is truncated');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES }).setAAD(aad);
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new AeadError('sealed value does not open with this key and context');
  }
}
