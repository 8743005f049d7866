import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/** PKCS#8 DER header for an Ed25519 private key; the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * What a signed statement asserts about event `seq`:
 * - `checkpoint`: the log had this event, with this hash, as its head or behind it;
 * - `trim`: retention removed every event up to and including this one, whose hash anchors the next.
 * Each kind signs under its own purpose, so neither can be replayed as the other.
 */
export const STATEMENT_KINDS = ['checkpoint', 'trim'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

const PURPOSES: Readonly<Record<StatementKind, string>> = {
  checkpoint: 'enclave.audit.checkpoint.v1',
  trim: 'enclave.audit.trim.v1',
};

export interface AuditSigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A signed statement about the log named `scope` at event `seq`, whose hash is `hash`. */
export interface AuditStatement {
  kind: StatementKind;
  scope: string;
  seq: number;
  /** The event's hash, 64 lower-case hex characters. */
  hash: string;
  signedAt: string;
  keyVersion: number;
  /** Ed25519 signature, base64url. */
  signature: string;
}

export type UnsignedStatement = Omit<AuditStatement, 'signature'>;

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

export function signStatement(statement: UnsignedStatement, privateKey: KeyObject): AuditStatement {
  const signature = sign(null, signedBytes(statement), privateKey).toString('base64url');
  return { ...statement, signature };
}

export function statementSignatureValid(statement: AuditStatement, publicKey: KeyObject): boolean {
  if (!Object.hasOwn(PURPOSES, statement.kind)) return false;
  const signature = Buffer.from(statement.signature, 'base64url');
  // Buffer skips characters outside the alphabet; insist on the one spelling we write.
  if (signature.toString('base64url') !== statement.signature) return false;
  try {
    return verify(null, signedBytes(statement), publicKey, signature);
  } catch {
    return false;
  }
}

/**
 * The bytes an Ed25519 signature covers. The purpose and the scope are signed too, so a
 * statement can be replayed neither as the other kind nor into another log or protocol.
 */
function signedBytes(statement: UnsignedStatement): Buffer {
  const purpose = PURPOSES[statement.kind];
  // canonicalJson drops undefined members: an unknown kind must not sign without a purpose.
  if (purpose === undefined) throw new Error(`unknown audit statement kind ${JSON.stringify(statement.kind)}`);
  return Buffer.from(
    canonicalJson({
      purpose,
      kind: statement.kind,
      scope: statement.scope,
      seq: statement.seq,
      hash: statement.hash,
      signed_at: statement.signedAt,
      key_version: statement.keyVersion,
    }),
  );
}
