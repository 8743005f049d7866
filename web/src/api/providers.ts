import { call } from './client.ts';
import { RETURN_PARAMETER } from '../return-path.ts';

/** A sign-in provider the server offers (IDN-03): its id names its start route. */
export interface SignInProvider {
  id: string;
  label: string;
}

export async function signInProviders(): Promise<SignInProvider[]> {
  return (await call<{ providers: SignInProvider[] }>('/api/auth/providers')).providers;
}

/** A full-page navigation, not a fetch: the provider's sign-in page needs the whole window. */
export function providerStartUrl(provider: SignInProvider): string {
  return `/api/auth/oidc/${encodeURIComponent(provider.id)}/start`;
}

/** What the server's redirect back to /sign-in said: a refusal code, or the second factors still owed. */
export interface SignInArrival {
  error: string | undefined;
  secondFactor: readonly string[] | undefined;
}

/** Reads the arrival from the address bar without changing it (React may call this twice). */
export function readSignInArrival(): SignInArrival {
  const params = new URLSearchParams(window.location.search);
  const error = params.get('error');
  const methods = params.get('methods');
  return {
    error: error && /^[a-z0-9_]{1,64}$/.test(error) ? error : undefined,
    secondFactor: params.get('step') === 'second-factor' ? (methods ? methods.split(',').filter(Boolean) : ['totp', 'backup_code']) : undefined,
  };
}

/**
 * Drops the arrival from the address bar, so reloading does not show it again. A `next` path
 * stays: it is where signing in leads afterwards (return-path.ts).
 */
export function clearSignInArrival(): void {
  if (!window.location.search) return;
  const next = new URLSearchParams(window.location.search).get(RETURN_PARAMETER);
  const kept = next === null ? '' : `?${new URLSearchParams({ [RETURN_PARAMETER]: next }).toString()}`;
  window.history.replaceState(null, '', `${window.location.pathname}${kept}`);
}
