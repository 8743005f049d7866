import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits), the parameters every authenticator app
 * uses. Written on node:crypto rather than through better-auth's twoFactor plugin: that
 * plugin stores backup codes reversibly (its custom storage must decrypt), does not remember
 * the last used step, and completes sign-in with its own cookie and session, around
 * Enclave's session service.
 */
export const TOTP_STEP_SECONDS = 30;
const DIGITS = 6;
/** One step either side absorbs clock drift between the server and the phone. */
const WINDOW = 1;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function newTotpSecret(): Buffer {
  // 160 bits, the HMAC-SHA1 block recommendation of RFC 4226.
  return randomBytes(20);
}

export function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function otpauthUri(secret: Buffer, account: string, issuer: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const query = new URLSearchParams({ secret: base32(secret), issuer, algorithm: 'SHA1', digits: String(DIGITS), period: String(TOTP_STEP_SECONDS) });
  return `otpauth://totp/${label}?${query.toString()}`;
}

export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_STEP_SECONDS);
}

function codeAt(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}

/** The step a code belongs to within the window around now, so the caller can refuse its reuse. */
export function matchTotp(secret: Buffer, code: string, now: Date): number | undefined {
  const current = totpStep(now);
  const presented = Buffer.from(code);
  for (let step = current - WINDOW; step <= current + WINDOW; step++) {
    const expected = Buffer.from(codeAt(secret, step));
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) return step;
  }
  return undefined;
}
