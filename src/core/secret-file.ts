import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from './config.ts';

/**
 * Reads a secret (a password, client secret or signing key) from a file only its owner can
 * read: secrets never live in config, environment or argv. `setting` names the option in
 * errors, which never include the file's content.
 */
export function readSecretFile(path: string, setting: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new ConfigError(`${setting} ${path} cannot be read`);
  }
  if ((mode & 0o077) !== 0) throw new ConfigError(`${setting} ${path} must be readable by its owner only: chmod 600 it`);
  const secret = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  if (!secret) throw new ConfigError(`${setting} ${path} is empty`);
  return secret;
}
