import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The session cookie (SES-02): HttpOnly, SameSite=Lax, Path=/ and no Domain, so it is
 * host-only; over HTTPS it is Secure and carries the `__Host-` prefix, which browsers
 * refuse to accept unless all of that holds, so no sibling subdomain can plant one.
 */
export interface SessionCookie {
  name: string;
  secure: boolean;
}

export function sessionCookie(https: boolean): SessionCookie {
  return { name: https ? '__Host-enclave_session' : 'enclave_session', secure: https };
}

/**
 * better-auth's signed-cookie format (better-call's `signCookieValue`): the token, a dot
 * and the standard-base64 HMAC-SHA256 of the token under the auth secret. Rotated tokens
 * are written here in the same format so better-auth can read them too.
 */
function signature(token: string, secret: string): string {
  return createHmac('sha256', secret).update(token).digest('base64');
}

export function serializeSessionCookie(cookie: SessionCookie, token: string, secret: string, maxAgeSeconds: number): string {
  const value = encodeURIComponent(`${token}.${signature(token, secret)}`);
  return cookieLine(cookie, value, Math.max(0, Math.floor(maxAgeSeconds)));
}

export function expiredSessionCookie(cookie: SessionCookie): string {
  return cookieLine(cookie, '', 0);
}

function cookieLine(cookie: SessionCookie, value: string, maxAge: number): string {
  return `${cookie.name}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly${cookie.secure ? '; Secure' : ''}; SameSite=Lax`;
}

/** The session token in a Cookie header, if it is there and its signature holds. */
export function readSessionToken(header: string | undefined, cookie: SessionCookie, secret: string): string | undefined {
  const raw = header ? cookieValue(header, cookie.name) : undefined;
  if (!raw) return undefined;
  const dot = raw.lastIndexOf('.');
  if (dot < 1) return undefined;
  const token = raw.slice(0, dot);
  const presented = Buffer.from(raw.slice(dot + 1));
  const expected = Buffer.from(signature(token, secret));
  return presented.length === expected.length && timingSafeEqual(presented, expected) ? token : undefined;
}

/** The first cookie of that name, URL-decoded, as better-call reads it. */
function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
