import { call } from './client.ts';
import type { User } from './types.ts';

/** The signed-in person's second factors (GET /api/auth/mfa). */
export interface MfaStatus {
  totp: boolean;
  backupCodesRemaining: number;
}

/** A started enrolment: the secret for manual entry and the otpauth:// URI the QR code carries. */
export interface TotpEnrollment {
  secret: string;
  otpauthUri: string;
}

export function mfaStatus(): Promise<MfaStatus> {
  return call<MfaStatus>('/api/auth/mfa');
}

export function enrollTotp(password: string): Promise<TotpEnrollment> {
  return call<TotpEnrollment>('/api/auth/mfa/totp/enroll', { method: 'POST', body: { password } });
}

/** The first code from the app turns MFA on; the answer holds the backup codes, shown this once. */
export async function confirmTotp(code: string): Promise<string[]> {
  return (await call<{ backupCodes: string[] }>('/api/auth/mfa/totp/confirm', { method: 'POST', body: { code } })).backupCodes;
}

export function disableTotp(password: string): Promise<void> {
  return call<void>('/api/auth/mfa/totp/disable', { method: 'POST', body: { password } });
}

/** Replaces every backup code; the old ones stop working and the person's other sessions end. */
export async function regenerateBackupCodes(password: string): Promise<string[]> {
  return (await call<{ backupCodes: string[] }>('/api/auth/mfa/backup-codes', { method: 'POST', body: { password } })).backupCodes;
}

/** Mails a one-time code for the sign-in waiting for its second factor. */
export async function sendEmailCode(): Promise<number> {
  return (await call<{ expiresInSeconds: number }>('/api/auth/mfa/email-code', { method: 'POST', body: {} })).expiresInSeconds;
}

/** How the person answers the second step of a sign-in. */
export type SecondFactorAnswer = { kind: 'app'; code: string } | { kind: 'backup'; code: string } | { kind: 'email'; code: string };

const BODY_FIELD = { app: 'code', backup: 'backupCode', email: 'emailCode' } as const;

export async function answerSecondFactor(answer: SecondFactorAnswer): Promise<User> {
  return (await call<{ user: User }>('/api/auth/mfa/verify', { method: 'POST', body: { [BODY_FIELD[answer.kind]]: answer.code } })).user;
}
