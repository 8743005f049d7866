import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'vitest';

export interface Manifest {
  format: string;
  formatVersion: number;
  kind: 'workspace' | 'personal';
  createdAt: string;
  subject: Record<string, string>;
  secrets: string;
  files: { path: string; bytes: number; lines: number; sha256: string }[];
}

export interface ReadArchive {
  /** The tar file as downloaded. */
  tarPath: string;
  raw: Buffer;
  /** Entry names in archive order, as Debian's tar lists them. */
  entries: string[];
  dir: string;
  manifest: Manifest;
  /** The extracted bytes of a file. */
  file(path: string): Buffer;
  /** The parsed lines of a JSON-lines file. */
  lines<T = Record<string, unknown>>(path: string): T[];
  /** Every extracted file's path, relative to the archive root. */
  paths: string[];
}

/**
 * Reads an archive back with Debian's tar (an independent witness, not the library that
 * wrote it), and checks every manifest entry against the extracted bytes.
 */
export function readArchive(bytes: Buffer): ReadArchive {
  const work = mkdtempSync(join(tmpdir(), 'enclave-export-read-'));
  const tarPath = join(work, 'export.tar');
  writeFileSync(tarPath, bytes);
  const entries = execFileSync('/usr/bin/tar', ['-tf', tarPath], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const dir = join(work, 'x');
  mkdirSync(dir);
  execFileSync('/usr/bin/tar', ['-xf', tarPath, '-C', dir]);
  const paths = (readdirSync(dir, { recursive: true, withFileTypes: true }) as { isFile(): boolean; parentPath: string; name: string }[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const file = (path: string) => readFileSync(join(dir, path));
  // Streamed: the manifest, which lists every other file's checksum, is the last entry.
  expect(entries.at(-1)).toBe('manifest.json');
  expect([...manifest.files.map((listed) => listed.path), 'manifest.json'].sort()).toEqual(paths);
  for (const listed of manifest.files) {
    const body = file(listed.path);
    expect(body.length, listed.path).toBe(listed.bytes);
    expect(createHash('sha256').update(body).digest('hex'), listed.path).toBe(listed.sha256);
    const text = body.toString('utf8');
    expect(text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0), listed.path).toBe(listed.lines);
  }
  return {
    tarPath,
    raw: bytes,
    entries,
    dir,
    manifest,
    paths,
    file,
    lines: <T>(path: string) =>
      file(path)
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as T),
  };
}

/** Every extracted byte plus the tar itself, to search for text that must not be there. */
export function everyByte(archive: ReadArchive): string {
  return [archive.raw.toString('latin1'), ...archive.paths.map((path) => archive.file(path).toString('utf8'))].join('\n');
}
