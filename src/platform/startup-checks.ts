import { ConfigError, isDefaultDataDir, PLACEHOLDER_SECURITY_CONTACT, type EnclaveConfig } from '../core/config.ts';
import { masterKeyPath } from '../core/keyring.ts';
import type { MasterKey } from '../core/keyring.ts';

/** Production refuses development keys and settings (OPS-01); each refusal names its fix in one line. */
export function assertProductionReady(config: EnclaveConfig, masterKey: MasterKey): void {
  if (config.mode !== 'production') return;
  if (isDefaultDataDir(config)) {
    throw new ConfigError('production refuses the default data dir ./data: pass --data-dir with a dedicated path');
  }
  if (masterKey.origin === 'development') {
    throw new ConfigError(
      `production refuses the development master key at ${masterKeyPath(config.dataDir)}: create one with \`enclave init\` on a new data dir, or set ENCLAVE_MASTER_KEY`,
    );
  }
  if (!config.tlsCert && config.trustProxy.length === 0) {
    throw new ConfigError(
      'production refuses plain HTTP: pass --tls-cert and --tls-key, or --trust-proxy ADDR for a TLS-terminating proxy',
    );
  }
  if (!config.publicUrl || new URL(config.publicUrl).protocol !== 'https:') {
    throw new ConfigError('production needs --public-url https://… (the origin browsers use), to verify request origins');
  }
  if (config.securityContact === PLACEHOLDER_SECURITY_CONTACT) {
    throw new ConfigError('production needs --security-contact mailto:… or https://… for /.well-known/security.txt (RFC 9116)');
  }
}
