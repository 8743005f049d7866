import type { EnclaveConfig } from '../core/config.ts';
import { createMasterKeyFile, KeyringError, masterKeyPath, readMasterKeyFile, type MasterKey } from '../core/keyring.ts';

/**
 * Finds the master key: the environment first, then the key file. Only development mode
 * may create one on the fly, and such a key is marked so production refuses it (OPS-01).
 */
export function resolveMasterKey(config: EnclaveConfig, options: { createInDevelopment: boolean }): MasterKey {
  if (config.masterKey) return { key: Buffer.from(config.masterKey, 'hex'), version: 1, origin: 'environment' };
  const existing = readMasterKeyFile(config.dataDir);
  if (existing) return existing;
  if (config.mode === 'development' && options.createInDevelopment) {
    createMasterKeyFile(config.dataDir, 'development');
    return readMasterKeyFile(config.dataDir)!;
  }
  throw new KeyringError(
    `no master key at ${masterKeyPath(config.dataDir)}: run \`enclave init --data-dir ${config.dataDir}\` or set ENCLAVE_MASTER_KEY`,
  );
}
