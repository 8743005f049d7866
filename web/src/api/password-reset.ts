import { call } from './client.ts';

/** Mails a reset link if the address has an account with a password; the answer is the same either way. */
export function requestPasswordReset(email: string, altcha: string): Promise<void> {
  return call<void>('/api/auth/password-reset/request', { method: 'POST', body: { email, altcha } });
}

/** Sets the new password with the mailed link's token; every session of the account ends. */
export function completePasswordReset(token: string, password: string): Promise<void> {
  return call<void>('/api/auth/password-reset/complete', { method: 'POST', body: { token, password } });
}
