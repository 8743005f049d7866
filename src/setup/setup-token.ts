import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { FILE_MODE } from '../core/database.ts';
import { newSecret } from '../core/tokens.ts';

/**
 * The first-run token lives in a file only its owner can read, like a master key: whoever
 * can read the data directory already controls the server, and nobody else can claim it,
 * even when the server is reachable from the network before its owner signs up.
 * It is never logged, printed or sent.
 */
export function ensureSetupToken(path: string): void {
  if (!existsSync(path)) writeFileSync(path, `${newSecret().secret}\n`, { mode: FILE_MODE, flag: 'wx' });
}

export function matchesSetupToken(path: string, offered: string): boolean {
  if (!existsSync(path)) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(readFileSync(path, 'utf8').trim()), digest(offered));
}

export function removeSetupToken(path: string): void {
  rmSync(path, { force: true });
}
