import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer secrets (API keys, and later pairing and MCP tokens): 256 random bits behind a
 * prefix naming their kind, so a leaked one is recognisable (and the redactor masks it).
 * Only the SHA-256 is stored (CRY-02): a 256-bit secret needs no slow hash, and a
 * database leak yields nothing usable.
 */
/** enk: API keys; ens: SCIM tokens (src/scim/); enp: agent pairing tokens; enm: personal MCP tokens (AIC-05). */
export type TokenKind = 'enk' | 'ens' | 'enp' | 'enm';

const TOKEN_PATTERN = /^(en[a-z])_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  token: string;
  hash: string;
  /** First characters, shown in listings so people can tell keys apart. */
  hint: string;
}

export function issueToken(kind: TokenKind): IssuedToken {
  const token = `${kind}_${newSecret().secret}`;
  return { token, hash: hashToken(token), hint: `${token.slice(0, 8)}…` };
}

/** 256 random bits in base64url, and the SHA-256 that is all a store may keep of them. */
export function newSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashToken(secret) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function tokenKind(token: string): string | undefined {
  return TOKEN_PATTERN.exec(token)?.[1];
}
