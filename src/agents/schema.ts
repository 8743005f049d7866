import { z } from 'zod';
import { idPattern } from '../core/ids.ts';

export const agentIdSchema = z.string().regex(idPattern('agt'), 'must be an agent id');
export const pairingTokenIdSchema = z.string().regex(idPattern('apt'), 'must be a pairing token id');

export const createPairingTokenSchema = z.strictObject({
  /** What the token is for, shown in the list of pending tokens (for example the machine it will be used on). */
  name: z.string().trim().min(1).max(100).default('agent'),
});
export type CreatePairingTokenInput = z.infer<typeof createPairingTokenSchema>;

export const pairingTokenSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type PairingToken = z.infer<typeof pairingTokenSchema>;

export const createdPairingTokenSchema = z.strictObject({
  pairingToken: pairingTokenSchema,
  /** Shown exactly once; only its SHA-256 is stored. */
  token: z.string(),
});

/** The agent's Ed25519 public key as a JWK (RFC 8037), as node:crypto's `publicKey.export({ format: 'jwk' })` writes it. */
export const ed25519JwkSchema = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the 32-byte public key in base64url'),
});

export const pairSchema = z.strictObject({
  token: z.string().min(1).max(200),
  publicKey: ed25519JwkSchema,
  name: z.string().trim().min(1).max(100),
});
export type PairInput = z.infer<typeof pairSchema>;

export const pairedSchema = z.strictObject({
  agentId: z.string(),
  workspaceId: z.string(),
});

export const challengeRequestSchema = z.strictObject({ agentId: agentIdSchema });
export const challengeSchema = z.strictObject({
  /** Sign the UTF-8 bytes of challengeMessage(agentId, nonce) (see src/agents/challenge.ts) with the agent's private key. */
  nonce: z.string(),
  expiresAt: z.string(),
});

export const tokenRequestSchema = z.strictObject({
  agentId: agentIdSchema,
  nonce: z.string().min(1).max(200),
  /** Ed25519 signature, base64url. */
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'must be a 64-byte Ed25519 signature in base64url'),
});
export type TokenRequest = z.infer<typeof tokenRequestSchema>;

export const accessTokenSchema = z.strictObject({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number(),
  workspaceId: z.string(),
});
export type AccessToken = z.infer<typeof accessTokenSchema>;

export const agentSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  pairedAt: z.string(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type Agent = z.infer<typeof agentSchema>;
