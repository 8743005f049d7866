import {
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { ApiError } from './api-error.ts';
import { call } from './client.ts';
import type { User } from './types.ts';

/** One of the signed-in person's passkeys (IDN-07), as GET /api/auth/passkeys lists it. */
export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  transports: string[];
}

/**
 * The browser's own passkey prompt failed (cancelled, timed out, no authenticator): an
 * ApiError like any other, so forms show it the same way, with status 0 as nothing was sent.
 */
async function inBrowserPrompt<T>(prompt: () => Promise<T>): Promise<T> {
  try {
    return await prompt();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ApiError({ status: 0, code: 'passkey_prompt_failed', message });
  }
}

export async function passkeys(): Promise<Passkey[]> {
  return (await call<{ passkeys: Passkey[] }>('/api/auth/passkeys')).passkeys;
}

/** Asks the server for a challenge (with the password again), lets the browser create the passkey, and has the server check it. */
export async function addPasskey(password: string, name: string): Promise<Passkey> {
  const { options } = await call<{ options: PublicKeyCredentialCreationOptionsJSON }>('/api/auth/passkeys/registration/options', {
    method: 'POST',
    body: { password },
  });
  const response = await inBrowserPrompt(() => startRegistration({ optionsJSON: options }));
  const body = { response, ...(name ? { name } : {}) };
  return (await call<{ passkey: Passkey }>('/api/auth/passkeys/registration/verify', { method: 'POST', body })).passkey;
}

export async function renamePasskey(id: string, name: string): Promise<Passkey> {
  return (await call<{ passkey: Passkey }>(`/api/auth/passkeys/${encodeURIComponent(id)}`, { method: 'PATCH', body: { name } })).passkey;
}

export function removePasskey(id: string, password: string): Promise<void> {
  return call<void>(`/api/auth/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE', body: { password } });
}

/** A sign-in with no address typed: the browser offers the passkeys it holds for this site. */
export async function signInWithPasskey(): Promise<User> {
  const { ceremonyId, options } = await call<{ ceremonyId: string; options: PublicKeyCredentialRequestOptionsJSON }>(
    '/api/auth/passkeys/authentication/options',
    { method: 'POST', body: {} },
  );
  const response = await inBrowserPrompt(() => startAuthentication({ optionsJSON: options }));
  return (await call<{ user: User }>('/api/auth/passkeys/authentication/verify', { method: 'POST', body: { ceremonyId, response } })).user;
}
