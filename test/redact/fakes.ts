import { passesIbanMod97, passesLuhn, passesVerhoeff } from '../../src/core/redact/checksums.ts';

/**
 * Fake secrets for the redaction tests, built at run time: the repository's secret scanner
 * must find no literal key, and checksummed numbers (cards, IBANs, Aadhaar) are computed
 * rather than copied, which also proves the checks the redactor relies on.
 */

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
export const ALPHANUMERIC = UPPER + LOWER + DIGITS;
const BASE64URL = ALPHANUMERIC + '-_';
const HEX = '0123456789abcdef';

// A small deterministic generator, so every run tests the same strings.
function generator(seed: string): () => number {
  let state = 2166136261;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 16777619);
  // mulberry32: a counter stepped by a constant, then mixed.
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` characters of `alphabet`, the same for the same seed, with at least one digit when the alphabet has digits. */
export function randomText(alphabet: string, length: number, seed: string): string {
  const next = generator(seed);
  const chars = Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]!);
  if (/\d/.test(alphabet) && !chars.some((char) => /\d/.test(char))) chars[length >> 1] = '7';
  return chars.join('');
}

const join = (...parts: string[]) => parts.join('');

export const fake = {
  awsAccessKeyId: (seed = 'aws') => join('AK', 'IA', randomText(UPPER + '234567', 16, seed)),
  awsSessionKeyId: (seed = 'aws-session') => join('AS', 'IA', randomText(UPPER + '234567', 16, seed)),
  githubClassic: (type = 'p', seed = 'gh') => join('gh', type, '_', randomText(ALPHANUMERIC, 36, seed)),
  githubFineGrained: (seed = 'ghpat') =>
    join('github', '_pat_', randomText(ALPHANUMERIC, 22, seed), '_', randomText(ALPHANUMERIC, 59, `${seed}2`)),
  gitlab: (seed = 'gl') => join('gl', 'pat-', randomText(ALPHANUMERIC, 20, seed)),
  slack: (type = 'b', seed = 'slack') =>
    join('xo', 'x', type, '-', randomText(DIGITS, 12, seed), '-', randomText(DIGITS, 13, `${seed}2`), '-', randomText(ALPHANUMERIC, 24, `${seed}3`)),
  stripe: (prefix = 'sk', mode = 'live', seed = 'stripe') => join(prefix, '_', mode, '_', randomText(ALPHANUMERIC, 24, seed)),
  openaiLegacy: (seed = 'oai') => join('sk', '-', randomText(ALPHANUMERIC, 48, seed)),
  openaiProject: (seed = 'oaiproj') => join('sk', '-proj-', randomText(BASE64URL, 120, seed)),
  anthropic: (seed = 'ant') => join('sk', '-ant-', 'api03-', randomText(BASE64URL, 93, seed), 'AA'),
  google: (seed = 'google') => join('AI', 'za', randomText(BASE64URL, 35, seed)),
  npm: (seed = 'npm') => join('np', 'm_', randomText(ALPHANUMERIC, 36, seed)),
  sendgrid: (seed = 'sg') => join('S', 'G.', randomText(BASE64URL, 22, seed), '.', randomText(BASE64URL, 43, `${seed}2`)),
  twilio: (seed = 'tw') => join('S', 'K', randomText(HEX, 32, seed)),
  enclave: (type = 'k', seed = 'enclave') => join('en', type, '_', randomText(BASE64URL, 43, seed)),
  jwt: (claims: Record<string, unknown> = { sub: 'usr_1', ws: 'ws_9' }, seed = 'jwt') =>
    [
      Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' })).toString('base64url'),
      Buffer.from(JSON.stringify(claims)).toString('base64url'),
      randomText(BASE64URL, 86, seed),
    ].join('.'),
  pem: (label = 'RSA PRIVATE KEY', seed = 'pem', newline = '\n') =>
    [
      join('-----BEGIN ', label, '-----'),
      ...Array.from({ length: 4 }, (_, i) => randomText(ALPHANUMERIC + '+/', 64, `${seed}${i}`)),
      join('-----END ', label, '-----'),
    ].join(newline),
  password: (seed = 'pw') => `${randomText(ALPHANUMERIC, 14, seed)}!`,
  opaqueToken: (seed = 'opaque') => randomText(ALPHANUMERIC, 40, seed),
};

// The checksums are tested against published vectors in checksums.test.ts, so the fakes may
// use them to find check digits.
function withCheckDigit(body: string, passes: (digits: string) => boolean): string {
  for (let check = 0; check < 10; check++) if (passes(body + check)) return body + check;
  throw new Error('unreachable: one of ten check digits passes');
}

/** A Luhn-valid card number of `length` digits starting with `prefix`. */
export function cardNumber(prefix: string, length: number, seed = prefix): string {
  return withCheckDigit(prefix + randomText(DIGITS, length - prefix.length - 1, seed), passesLuhn);
}

/** A 12-digit Aadhaar-shaped number, first digit 2-9, with a valid Verhoeff check digit. */
export function aadhaarNumber(seed = 'aadhaar'): string {
  const first = String(2 + (Number(randomText(DIGITS, 1, seed)) % 8));
  return withCheckDigit(first + randomText(DIGITS, 10, `${seed}body`), passesVerhoeff);
}

/** Changes the last digit, so the checksum fails. */
export function breakCheckDigit(digits: string): string {
  return digits.slice(0, -1) + String((Number(digits.at(-1)) + 1) % 10);
}

export function groupDigits(digits: string, sizes: number[], separator: string): string {
  let at = 0;
  return sizes.map((size) => digits.slice(at, (at += size))).join(separator);
}

/** An IBAN for `country` with the given BBAN and the check digits that pass mod 97. */
export function iban(country: string, bban: string): string {
  for (let check = 2; check <= 98; check++) {
    const candidate = country + String(check).padStart(2, '0') + bban;
    if (passesIbanMod97(candidate)) return candidate;
  }
  throw new Error('unreachable: ISO 13616 check digits are 02-98');
}

export function groupsOfFour(compact: string): string {
  return compact.match(/.{1,4}/g)!.join(' ');
}
