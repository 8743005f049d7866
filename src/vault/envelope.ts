import { randomBytes } from 'node:crypto';
import { aeadOpen, aeadSeal } from '../core/aead.ts';

/** A secret sealed under its own data key, and that data key sealed under the workspace vault key. */
export interface Sealed {
  wrappedKey: Buffer;
  ciphertext: Buffer;
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
    return { wrappedKey: aeadSeal(vaultKey, context.key, dataKey), ciphertext: aeadSeal(dataKey, context.data, plaintext) };
  } finally {
    dataKey.fill(0);
  }
}

export function open(vaultKey: Buffer, context: { key: Buffer; data: Buffer }, sealed: Sealed): Buffer {
  const dataKey = aeadOpen(vaultKey, context.key, sealed.wrappedKey);
  try {
    return aeadOpen(dataKey, context.data, sealed.ciphertext);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * CRY-03: moves a wrapped data key from one vault key to another (a rotation); the secret
 * itself, sealed under the data key, does not change. The row records the new key version.
 */
export function rewrapDataKey(from: Buffer, to: Buffer, keyContext: Buffer, wrappedKey: Buffer): Buffer {
  const dataKey = aeadOpen(from, keyContext, wrappedKey);
  try {
    return aeadSeal(to, keyContext, dataKey);
  } finally {
    dataKey.fill(0);
  }
}
