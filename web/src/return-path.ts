/**
 * Where to go back to after signing in, carried as `?next=` on the sign-in page: the consent
 * screen of an AI client sends a signed-out person there and wants them back. Only a path on
 * this same origin is followed, so a crafted sign-in link cannot forward anyone elsewhere
 * (an open redirect, CWE-601).
 */
export const RETURN_PARAMETER = 'next';

/** A relative path starting with a single '/', resolved against this origin; anything else is ignored. */
export function safeReturnPath(value: string | null): string | undefined {
  if (value === null || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  // The URL parser drops tabs and newlines and reads '\' as '/', so its verdict on the origin is the one that counts.
  const resolved = new URL(value, window.location.origin);
  if (resolved.origin !== window.location.origin) return undefined;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}

/** The sign-in page, asked to bring the person back to `path` afterwards. */
export function signInReturningTo(path: string): string {
  return `/sign-in?${new URLSearchParams({ [RETURN_PARAMETER]: path }).toString()}`;
}

/**
 * Sends the browser on to the sign-in page's `next` path, if it has a safe one; true when it did,
 * and the caller should then not open a page of its own.
 */
export function followReturnPath(): boolean {
  if (window.location.pathname !== '/sign-in') return false;
  const next = safeReturnPath(new URLSearchParams(window.location.search).get(RETURN_PARAMETER));
  if (next === undefined) return false;
  window.location.assign(next);
  return true;
}
