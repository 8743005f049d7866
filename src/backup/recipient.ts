import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type EnclaveConfig } from '../core/config.ts';
import { DIR_MODE, FILE_MODE } from '../core/database.ts';
import { readSecretFile } from '../core/secret-file.ts';

/**
 * BKP-01: backups are encrypted a second time, in the age format, to an X25519 recipient
 * that has nothing to do with the master key. The server needs only the recipient (a
 * public key) to write backups; the identity (the private key) is needed only to restore,
 * so operators move it off the server once `enclave init` has created it.
 */
export const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

export function backupIdentityPath(dataDir: string): string {
  return join(dataDir, 'keys', 'backup-identity.txt');
}

export function backupRecipientPath(dataDir: string): string {
  return join(dataDir, 'keys', 'backup-recipient.txt');
}

export interface BackupKeys {
  identityPath: string;
  recipientPath: string;
  recipient: string;
}

/** Creates the identity (0600, in the layout `age-keygen` writes, so `age -d -i` reads it) and the recipient file. */
export async function createBackupKeys(dataDir: string, now = new Date()): Promise<BackupKeys> {
  const identityPath = backupIdentityPath(dataDir);
  const recipientPath = backupRecipientPath(dataDir);
  if (existsSync(identityPath) || existsSync(recipientPath)) {
    throw new ConfigError(`a backup key already exists in ${join(dataDir, 'keys')}; refusing to overwrite it`);
  }
  mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: DIR_MODE });
  // X25519 rather than the hybrid post-quantum kind: Debian's age 1.1 cannot read hybrid files.
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const created = `# created: ${now.toISOString()}`;
  writeFileSync(identityPath, `${created}\n# public key: ${recipient}\n${identity}\n`, { mode: FILE_MODE, flag: 'wx' });
  writeFileSync(recipientPath, `${created}\n${recipient}\n`, { mode: FILE_MODE, flag: 'wx' });
  return { identityPath, recipientPath, recipient };
}

/** The recipient from config (`backup.recipient`) or else from the data dir's recipient file; undefined when neither exists. */
export function resolveBackupRecipient(config: EnclaveConfig): string | undefined {
  if (config.backup.recipient) return config.backup.recipient;
  const path = backupRecipientPath(config.dataDir);
  if (!existsSync(path)) return undefined;
  const recipient = keyLines(readFileSync(path, 'utf8'))[0];
  if (!recipient || !AGE_RECIPIENT.test(recipient)) throw new ConfigError(`backup recipient file ${path} does not hold an age X25519 recipient (age1…)`);
  return recipient;
}

/** Reads an age identity file; like every secret file it must be readable by its owner only. */
export function readBackupIdentity(path: string): string[] {
  const identities = keyLines(readSecretFile(path, 'backup identity file')).filter((line) => line.startsWith('AGE-SECRET-KEY-1'));
  if (identities.length === 0) throw new ConfigError(`backup identity file ${path} holds no age identity (AGE-SECRET-KEY-1…)`);
  return identities;
}

/** The format age uses for key files: one key a line, `#` comments. */
function keyLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
