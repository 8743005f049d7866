import { z } from 'zod';
import { idPattern } from '../core/ids.ts';

/** WebAuthn binary fields travel as base64url; a credential id is at most 1023 bytes (about 1,364 characters). */
const base64url = (max: number) => z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url').max(max);
const credentialId = base64url(1400);
const transport = z.string().regex(/^[a-z-]{1,32}$/, 'must be a transport name');

/**
 * Extension outputs are an open map by the WebAuthn spec (credProps, prf, largeBlob…) and
 * browsers add new ones; nothing here reads them, so their shape is not pinned down.
 */
const clientExtensionResults = z.record(z.string().max(64), z.unknown());

/** What @simplewebauthn/browser's startRegistration() sends (RegistrationResponseJSON). */
export const registrationResponseSchema = z.strictObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.strictObject({
    clientDataJSON: base64url(8192),
    attestationObject: base64url(65_536),
    transports: z.array(transport).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(8192).optional(),
    authenticatorData: base64url(65_536).optional(),
  }),
  clientExtensionResults,
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

/** What @simplewebauthn/browser's startAuthentication() sends (AuthenticationResponseJSON). */
export const authenticationResponseSchema = z.strictObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.strictObject({
    clientDataJSON: base64url(8192),
    authenticatorData: base64url(8192),
    signature: base64url(1024),
    userHandle: base64url(128).optional(),
  }),
  clientExtensionResults,
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

export const passkeyNameSchema = z.string().trim().min(1).max(64);
export const passkeyParams = z.strictObject({ passkeyId: z.string().regex(idPattern('pk'), 'must be a passkey id') });

/** A sign-in ceremony's id: 256 random bits, base64url. */
export const ceremonyIdSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a ceremony id');

export const registrationVerifySchema = z.strictObject({ name: passkeyNameSchema.optional(), response: registrationResponseSchema });
export const authenticationVerifySchema = z.strictObject({ ceremonyId: ceremonyIdSchema, response: authenticationResponseSchema });
export const renameSchema = z.strictObject({ name: passkeyNameSchema });

/**
 * The options @simplewebauthn/server builds for navigator.credentials.create()/get(): public
 * by design (challenge, relying party, algorithms…), so passed through as built.
 */
export const webAuthnOptionsSchema = z.record(z.string(), z.unknown());

export const passkeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  /** `multiDevice` passkeys may be synced to other devices by their provider; `backedUp` says whether they are. */
  deviceType: z.enum(['singleDevice', 'multiDevice']),
  backedUp: z.boolean(),
  transports: z.array(z.string()),
});
export type Passkey = z.infer<typeof passkeySchema>;
export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;
