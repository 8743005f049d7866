import type { Secret } from '../vault/schema.ts';
import type { CredentialGrant } from './types.ts';

/**
 * Turns a decrypted vault secret into what the host adds to a request, for the workflow
 * runner's `credentialFor` resolver (the runner decrypts; this folder never does). Besides
 * the raw secret, `secrets` lists the composite forms a server might echo (`user:password`
 * for Basic); the mask adds their encodings. OAuth client credentials need a token
 * exchange first and are not usable by code steps yet, so they give no grant.
 */
export function credentialGrant(secret: Secret, hosts: readonly string[]): CredentialGrant | undefined {
  switch (secret.kind) {
    case 'bearer':
      return { hosts, headers: { authorization: `Bearer ${secret.token}` }, secrets: [secret.token] };
    case 'header':
      return { hosts, headers: { [secret.header.toLowerCase()]: secret.value }, secrets: [secret.value] };
    case 'basic': {
      const pair = `${secret.username}:${secret.password}`;
      return { hosts, headers: { authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` }, secrets: [secret.password, pair] };
    }
    case 'oauth_client':
      return undefined;
  }
}
