import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_NAME } from './manifest.ts';

const DAY_MS = 86_400_000;
const NAME = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/;
/** An unfinished backup is written under this name and renamed once its manifest is in. */
const PARTIAL = /^\.(.+)\.partial$/;

/** A backup directory's name: its UTC start time, sortable, without the colons some filesystems refuse. */
export function backupName(at: Date): string {
  return at.toISOString().replace(/:/g, '-').replace('.', '-');
}

export function backupTime(name: string): Date | undefined {
  const match = NAME.exec(name);
  if (!match) return undefined;
  const time = new Date(`${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

export function partialName(name: string): string {
  return `.${name}.partial`;
}

/** Complete backups (named by time, with a manifest) under a target directory, oldest first. */
export function listBackups(dir: string): { name: string; at: Date }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, MANIFEST_NAME)))
    .flatMap((entry) => {
      const at = backupTime(entry.name);
      return at ? [{ name: entry.name, at }] : [];
    })
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * BKP-02: removes backups older than the retention period, and leftovers of backups that
 * never finished. It runs only after a backup succeeded, so the newest backup is always
 * kept. Only directories named like backups are touched.
 */
export function pruneBackups(dir: string, retentionDays: number, now: Date): string[] {
  if (!existsSync(dir)) return [];
  const cutoff = now.getTime() - retentionDays * DAY_MS;
  const removed: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const partial = PARTIAL.exec(entry.name);
    const at = backupTime(partial ? partial[1]! : entry.name);
    // A partial backup older than a day belongs to a run that died; a newer one may still be running.
    const limit = partial ? now.getTime() - DAY_MS : cutoff;
    if (at && at.getTime() < limit) {
      rmSync(join(dir, entry.name), { recursive: true, force: true });
      removed.push(entry.name);
    }
  }
  return removed;
}
