import { timingSafeEqual } from 'node:crypto';
import { hashToken, newSecret } from '../core/tokens.ts';

/**
 * Ties a started sign-in to the browser that started it (login CSRF, RFC 9700 §4.7.1).
 * The `state` alone would not: someone could start a sign-in, finish it at the IdP with
 * their own account and hand the callback URL to a victim, who would then be signed in as
 * them. A random value goes into a short-lived HttpOnly cookie and only its SHA-256 into
 * the pending sign-in; the callback must bring the cookie back.
 */
export const BINDING_COOKIE = 'enclave_oidc_binding';

export function newBrowserBinding(): { value: string; digest: string } {
  const { secret, hash } = newSecret();
  return { value: secret, digest: hash };
}

/**
 * SameSite=Lax is sent on the IdP's top-level redirect back. Scoped to the auth routes, so
 * no other request carries it, and gone after the pending sign-in's ten minutes.
 */
export function bindingCookie(value: string, secure: boolean, maxAgeSeconds: number): string {
  return `${BINDING_COOKIE}=${value}; Max-Age=${maxAgeSeconds}; Path=/api/auth; HttpOnly${secure ? '; Secure' : ''}; SameSite=Lax`;
}

export function clearedBindingCookie(secure: boolean): string {
  return bindingCookie('', secure, 0);
}

export function bindingMatches(cookieHeader: string | undefined, digest: string | undefined): boolean {
  if (!cookieHeader || !digest) return false;
  const value = cookieHeader
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${BINDING_COOKIE}=`))
    ?.slice(BINDING_COOKIE.length + 1);
  if (!value) return false;
  const presented = Buffer.from(hashToken(value));
  const expected = Buffer.from(digest);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
