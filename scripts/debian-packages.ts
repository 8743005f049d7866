import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Installs the Debian packages behind the given paths when they are missing and we are
 * root; returns false (after saying so) when some cannot be installed.
 */
export function ensureDebianPackages(packagesByPath: Record<string, string>, purpose: string): boolean {
  const missing = Object.entries(packagesByPath).filter(([path]) => !existsSync(path)).map(([, name]) => name);
  if (missing.length === 0) return true;
  if (process.getuid?.() !== 0) {
    process.stdout.write(`enclave: cannot install ${missing.join(', ')} without root; ${purpose}\n`);
    return false;
  }
  process.stdout.write(`enclave: installing ${missing.join(', ')} from Debian\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  return spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env }).status === 0;
}
