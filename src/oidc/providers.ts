import type { EnclaveConfig } from '../core/config.ts';
import { readSecretFile } from '../core/secret-file.ts';

/** A configured provider with its client secret read; never serialised to a client or a log. */
export interface OidcProvider {
  id: string;
  label: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: readonly string[] | undefined;
  allowedDomains: readonly string[] | undefined;
  allowSignUp: boolean;
}

/** Read at start-up, so a secret file anyone else can read stops the server before it serves anything. */
export function loadOidcProviders(config: EnclaveConfig): OidcProvider[] {
  return config.oidc.providers.map((provider) => ({
    id: provider.id,
    label: provider.label,
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: readSecretFile(provider.clientSecretFile, `oidc provider ${provider.id}: clientSecretFile`),
    scopes: provider.scopes,
    allowedDomains: provider.allowedDomains,
    allowSignUp: provider.allowSignUp ?? config.allowSignUp,
  }));
}
