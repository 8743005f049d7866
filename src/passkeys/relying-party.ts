import { isIP } from 'node:net';
import { AppError } from '../core/errors.ts';

/** Who a passkey is for: the name people see, and the domain and origin WebAuthn binds it to. */
export interface RelyingParty {
  name: string;
  /** The RP ID: the public origin's host name. A passkey made for it works only there. */
  id: string;
  /** The only origin whose ceremonies are accepted. */
  origin: string;
}

/**
 * The relying party for the server's public origin (config publicUrl, or the listening
 * origin). WebAuthn RP IDs are domains: browsers refuse an IP address, so a server reached
 * only by one cannot offer passkeys until publicUrl names it by a domain.
 */
export function relyingParty(publicOrigin: string): RelyingParty {
  const url = new URL(publicOrigin);
  if (isIP(url.hostname.replace(/^\[(.*)\]$/, '$1')) !== 0) {
    throw new AppError(409, 'passkeys_unavailable', 'passkeys need this server to be reached at a domain name; an operator sets publicUrl');
  }
  return { name: 'Enclave', id: url.hostname, origin: url.origin };
}
