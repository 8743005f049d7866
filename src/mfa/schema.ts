import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../identity/schema.ts';

/** Re-authentication: the current password, checked only for presence here, like sign-in. */
export const reauthenticateSchema = z.strictObject({ password: z.string().min(1).max(PASSWORD_MAX_LENGTH) });

export const totpCodeSchema = z.string().regex(/^\d{6}$/, 'must be the 6-digit code from the authenticator app');
export const confirmSchema = z.strictObject({ code: totpCodeSchema });

/**
 * `{code}` takes a TOTP code or a backup code (six digits are a TOTP code, anything else a
 * backup code), so a sign-in form can have one field; `{backupCode}` says so explicitly.
 * A mailed code is also six digits, so it always comes as `{emailCode}`: trying one guess
 * against two factors would double its odds.
 */
const looseCode = z.string().trim().min(1).max(32);
const emailCode = z.string().trim().regex(/^\d{6}$/, 'must be the 6-digit code from the mail');
export const verifySchema = z.union([
  z.strictObject({ code: looseCode }),
  z.strictObject({ backupCode: looseCode }),
  z.strictObject({ emailCode }),
]);
export const emailCodeSentSchema = z.strictObject({ status: z.literal('sent'), expiresInSeconds: z.number() });

export const enrollmentSchema = z.strictObject({ secret: z.string(), otpauthUri: z.string() });
export const backupCodesSchema = z.strictObject({ backupCodes: z.array(z.string()) });
export const mfaStatusSchema = z.strictObject({ totp: z.boolean(), backupCodesRemaining: z.number() });
export const workspaceSecuritySchema = z.strictObject({ requireMfa: z.boolean() });
