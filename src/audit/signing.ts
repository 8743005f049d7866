import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/** PKCS#8 DER header for an Ed25519 private key; the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const PURPOSE = 'enclave.audit.checkpoint.v1';

export interface AuditSigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A signed statement that the log named `scope` had head `hash` at `seq`. */
export interface AuditCheckpoint {
  scope: string;
  seq: number;
  hash: string;
  signedAt: string;
  keyVersion: number;
  /** Ed25519 signature, base64url. */
  signature: string;
}

export type UnsignedCheckpoint = Omit<AuditCheckpoint, 'signature'>;

/** Ed25519 key pair from a 32-byte seed, which the caller derives from the workspace key material. */
export function auditSigningKeys(seed: Buffer): AuditSigningKeys {
  if (seed.length !== 32) throw new Error('audit signing seeds are 32 bytes');
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export function signCheckpoint(checkpoint: UnsignedCheckpoint, privateKey: KeyObject): AuditCheckpoint {
  const signature = sign(null, signedBytes(checkpoint), privateKey).toString('base64url');
  return { ...checkpoint, signature };
}

export function checkpointSignatureValid(checkpoint: AuditCheckpoint, publicKey: KeyObject): boolean {
  const signature = Buffer.from(checkpoint.signature, 'base64url');
  // Buffer skips characters outside the alphabet; insist on the one spelling we write.
  if (signature.toString('base64url') !== checkpoint.signature) return false;
  try {
    return verify(null, signedBytes(checkpoint), publicKey, signature);
  } catch {
    return false;
  }
}

/** The scope and purpose are signed too, so a checkpoint cannot be replayed into another log or protocol. */
function signedBytes(checkpoint: UnsignedCheckpoint): Buffer {
  return Buffer.from(
    canonicalJson({
      purpose: PURPOSE,
      scope: checkpoint.scope,
      seq: checkpoint.seq,
      hash: checkpoint.hash,
      signed_at: checkpoint.signedAt,
      key_version: checkpoint.keyVersion,
    }),
  );
}
