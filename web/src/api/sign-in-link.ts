import { call } from './client.ts';

/** Mails a magic sign-in link (IDN-02) if the address has a confirmed account; the answer is the same either way. */
export function requestSignInLink(email: string, altcha: string): Promise<void> {
  return call<void>('/api/auth/magic-link', { method: 'POST', body: { email, altcha } });
}
