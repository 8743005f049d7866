import { hkdfSync } from 'node:crypto';
import type { Keyring } from '../core/keyring.ts';

/**
 * The secret better-auth signs session cookies with. keyring.ts has no identity purpose, so
 * it is derived here from the control database key with its own HKDF info string, which
 * makes it independent of that key (RFC 5869). Whoever holds the control database key can
 * read every session row anyway, so tying the cookie secret to it widens nothing.
 */
export function identitySecret(keyring: Keyring): string {
  return Buffer.from(hkdfSync('sha256', keyring.controlKey('db'), 'enclave:control', 'enclave:control:identity-secret:v1', 32)).toString('hex');
}
