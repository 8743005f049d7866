import { bounded, WORD } from './pattern.ts';
import type { Rule } from './rule.ts';

// Characters of base64url tokens; a token glued to one of them is part of a longer string.
const BASE64URL = 'A-Za-z0-9_\\-';

/** What PEM armour names a private key: `RSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`, `PGP PRIVATE KEY BLOCK`. */
export const PRIVATE_KEY_LABEL = '(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?';

/**
 * PEM private keys, multi-line in text and with `\n` escapes in JSON. The body is everything
 * up to the END line, so encrypted keys' `Proc-Type:` headers go too; a body may not contain
 * `-----`, which ends it in one pass. A truncated block (no END) is masked to where it stops.
 */
export const privateKeyRule: Rule = {
  name: 'private-key',
  kind: 'private-key',
  screen: /PRIVATE KEY/,
  pattern: new RegExp(
    `-----BEGIN ${PRIVATE_KEY_LABEL}-----(?:[^\\-"\\\\]|-(?!----)|\\\\[nrt])*(?:-----END ${PRIVATE_KEY_LABEL}-----)?`,
    'g',
  ),
};

// Prose says "Bearer token" too: a credential is long and either has a digit or mixes cases.
function looksGenerated(token: string): boolean {
  return token.length >= 8 && (/\d/.test(token) || (token.length >= 16 && /[a-z]/.test(token) && /[A-Z]/.test(token)));
}

/** `Bearer <token68>` (RFC 6750); the scheme word is kept so the log still says which scheme. */
export const bearerRule: Rule = {
  name: 'bearer',
  kind: 'bearer',
  // The token is greedy, so only the scheme word needs a boundary: `value=Bearer x` still counts.
  ...bounded('[Bb]earer[ \\t]+(?<secret>[A-Za-z0-9\\-._~+/]+=*)', 'A-Za-z0-9'),
  accept: looksGenerated,
};

// Basic credentials are base64 of `user:password`; decoding tells them from words after "Basic".
function decodesToUserPassword(encoded: string): boolean {
  let decoded: string;
  try {
    decoded = atob(encoded);
  } catch {
    return false;
  }
  return decoded.includes(':') && !/[\x00-\x1f\x7f]/.test(decoded);
}

/** `Basic <base64>` (RFC 7617). */
export const basicRule: Rule = {
  name: 'basic',
  kind: 'basic',
  ...bounded('[Bb]asic[ \\t]+(?<secret>[A-Za-z0-9+/]+=*)', 'A-Za-z0-9'),
  accept: decodesToUserPassword,
};

/**
 * `scheme://user:password@host`: only the password is masked. The password may hold `@` and
 * `:` (the last `@` before the path ends it) but not `/`, so `host:8080/path@x` is not one.
 */
export const urlPasswordRule: Rule = {
  name: 'url-password',
  kind: 'password',
  ...bounded('[A-Za-z][A-Za-z0-9+.\\-]*://[^\\s/?#@:"\\\\]*:(?<secret>[^\\s/?#"\\\\]+)(?=@)', 'A-Za-z0-9+.\\-'),
  // Scanning for a scheme run is slow; `://` is a literal V8 finds fast.
  screen: /:\/\//,
};

/** JWS (three segments) and JWE (five); the header is base64url JSON, so it starts `eyJ`. */
export const jwtRule: Rule = {
  name: 'jwt',
  kind: 'jwt',
  ...bounded(
    'eyJ[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]*(?:\\.[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+)?',
    BASE64URL,
  ),
  // The body as a screen would rescan the rest of a long base64 run from every `eyJ` in it.
  screen: /eyJ/,
};

// Random key material has letters and digits; a long hyphenated word after `sk-` does not.
function mixesLettersAndDigits(token: string): boolean {
  return /\d/.test(token) && /[A-Za-z]/.test(token.slice(3));
}

/**
 * Provider keys with a published fixed prefix, the reliable way to find them by content.
 * Order matters where prefixes nest: Anthropic's `sk-ant-` is tried before OpenAI's `sk-`.
 */
export const providerTokenRules: readonly Rule[] = [
  {
    name: 'aws-access-key-id',
    kind: 'aws-key',
    // Long-term (AKIA) and temporary (ASIA) key ids: a 4-letter type code and 16 base32 characters.
    ...bounded('(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}', 'A-Za-z0-9'),
  },
  {
    name: 'github-token',
    kind: 'github-token',
    // Classic tokens: type letter + 36 base62; fine-grained: github_pat_ + 82 characters with `_`.
    ...bounded('gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,242}', WORD),
  },
  {
    name: 'gitlab-token',
    kind: 'gitlab-token',
    ...bounded('glpat-[A-Za-z0-9_\\-]{20,}', BASE64URL),
  },
  {
    name: 'slack-token',
    kind: 'slack-token',
    // Bot, user, app-level, refresh and legacy tokens: xoxb-/xoxp-/xoxa-/xoxr-/xoxs- then dashed ids.
    ...bounded('xox[abprs]-[A-Za-z0-9\\-]{10,}', 'A-Za-z0-9\\-'),
  },
  {
    name: 'stripe-key',
    kind: 'stripe-key',
    // Secret and restricted keys; publishable pk_ keys are public by design.
    ...bounded('(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}', WORD),
  },
  {
    name: 'anthropic-key',
    kind: 'anthropic-key',
    ...bounded('sk-ant-[A-Za-z0-9_\\-]{20,}', BASE64URL),
  },
  {
    name: 'openai-key',
    kind: 'openai-key',
    // Legacy sk-<48> and project/service keys sk-proj-…, sk-svcacct-…; all base64url after sk-.
    ...bounded('sk-[A-Za-z0-9_\\-]{20,}', BASE64URL),
    accept: mixesLettersAndDigits,
  },
  {
    name: 'google-api-key',
    kind: 'google-api-key',
    ...bounded('AIza[A-Za-z0-9_\\-]{35}', BASE64URL),
  },
  {
    name: 'npm-token',
    kind: 'npm-token',
    ...bounded('npm_[A-Za-z0-9]{36}', WORD),
  },
  {
    name: 'sendgrid-key',
    kind: 'sendgrid-key',
    // SG.<22-character key id>.<43-character secret>.
    ...bounded('SG\\.[A-Za-z0-9_\\-]{22}\\.[A-Za-z0-9_\\-]{43}', BASE64URL),
  },
  {
    name: 'twilio-api-key',
    kind: 'twilio-key',
    // API key SIDs are SK + 32 hex; account SIDs (AC…) identify, they do not authenticate.
    ...bounded('SK[0-9a-fA-F]{32}', WORD),
  },
  {
    name: 'enclave-token',
    kind: 'enclave-token',
    // Enclave's own tokens: en + a type letter (enk_, enc_, enp_, enm_ …) + 32 random bytes as base64url.
    ...bounded('en[a-z]_[A-Za-z0-9_\\-]{43}', BASE64URL),
  },
];
