// Verifies that package-lock.json pins every dependency to a registry.npmjs.org tarball with a
// sha512 integrity hash, so an install can fetch nothing else (OPS-03; ASVS V15.2.4).
// Usage: node scripts/supply-chain/check-lockfile.ts [path/to/package-lock.json]
// Exit codes: 0 lockfile acceptable, 1 problems found (each printed), 2 unreadable input.
import { readFileSync } from 'node:fs';
import { matchesGlob, resolve } from 'node:path';

const REGISTRY_HOST = 'registry.npmjs.org';
// sha512 digests are 64 bytes: 86 base64 characters plus "==" padding.
const SHA512 = /^sha512-[A-Za-z0-9+/]{86}==$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

interface LockEntry {
  name?: unknown;
  version?: unknown;
  resolved?: unknown;
  integrity?: unknown;
  link?: unknown;
  inBundle?: unknown;
  [field: string]: unknown;
}

/** The package name a `node_modules/...` key installs, honouring aliases (`name` field). */
function packageName(key: string, entry: LockEntry): string {
  if (typeof entry.name === 'string') return entry.name;
  return key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** A spec is a registry range, a dist-tag, or an `npm:` alias of one; never a URL or a path. */
function specProblem(spec: unknown): string | undefined {
  if (typeof spec !== 'string') return 'is not a string';
  let range = spec;
  if (spec.startsWith('npm:')) {
    const aliased = spec.slice(4);
    const at = aliased.indexOf('@', 1);
    range = at < 0 ? '' : aliased.slice(at + 1);
  }
  // Every git, file, link, tarball, URL and GitHub-shorthand spec holds a ':' or a '/'.
  if (/[:/\\]/.test(range)) return `"${spec}" is not a registry version range`;
  return undefined;
}

function resolvedProblem(resolved: string, name: string): string | undefined {
  let url: URL;
  try {
    url = new URL(resolved);
  } catch {
    return `resolved "${resolved}" is not a registry URL`;
  }
  const fromRegistry =
    url.protocol === 'https:' && url.host === REGISTRY_HOST && url.username === '' && url.password === '' &&
    url.search === '' && url.hash === '' && url.pathname.startsWith(`/${name}/-/`) && url.pathname.endsWith('.tgz');
  return fromRegistry ? undefined : `resolved "${resolved}" is not a https://${REGISTRY_HOST}/${name}/-/ tarball`;
}

function entryProblems(key: string, entry: LockEntry, workspaces: Set<string>): string[] {
  const problems: string[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const specs = entry[field];
    if (specs === undefined) continue;
    for (const [dependency, spec] of Object.entries(specs as Record<string, unknown>)) {
      const problem = specProblem(spec);
      if (problem) problems.push(`${key || '(root)'}: ${field}.${dependency} ${problem}`);
    }
  }
  if (key === '' || workspaces.has(key)) return problems;
  if (entry.link === true) {
    if (typeof entry.resolved === 'string' && workspaces.has(entry.resolved)) return problems;
    return [...problems, `${key}: links to ${String(entry.resolved)}, which is not a declared workspace`];
  }
  if (!key.includes('node_modules/')) return [...problems, `${key}: a folder that is not a declared workspace`];
  // Bundled dependencies ship inside their parent's tarball, which the parent's hash covers.
  if (entry.inBundle === true) return problems;
  const name = packageName(key, entry);
  if (typeof entry.version !== 'string' || !SEMVER.test(entry.version)) problems.push(`${key}: version ${JSON.stringify(entry.version)} is not a registry version`);
  const hashes = typeof entry.integrity === 'string' ? entry.integrity.split(/\s+/) : [];
  if (!hashes.some((hash) => SHA512.test(hash))) problems.push(`${key}: no sha512 integrity hash`);
  // omit-lockfile-registry-resolved drops `resolved` for registry packages; npm then fetches
  // name@version from the configured registry and checks the integrity hash above.
  if (entry.resolved !== undefined) {
    const problem = typeof entry.resolved === 'string' ? resolvedProblem(entry.resolved, name) : 'resolved is not a string';
    if (problem) problems.push(`${key}: ${problem}`);
  }
  return problems;
}

/**
 * Folders of the repository's own workspaces: those the root declares in `workspaces`. Links
 * to anything else (a `file:` dependency, a folder outside the repository) are refused.
 */
function declaredWorkspaces(entries: [string, LockEntry][]): Set<string> {
  const root = entries.find(([key]) => key === '')?.[1];
  const patterns = Array.isArray(root?.workspaces) ? root.workspaces.filter((pattern) => typeof pattern === 'string') : [];
  const folders = entries
    .map(([key]) => key)
    .filter((key) => key !== '' && !key.includes('node_modules/') && !key.startsWith('/') && !key.split('/').includes('..'));
  return new Set(folders.filter((folder) => patterns.some((pattern) => matchesGlob(folder, pattern))));
}

/** Every problem in a parsed lockfile; an empty list means it is acceptable. */
function lockfileProblems(lockfile: unknown): string[] {
  if (typeof lockfile !== 'object' || lockfile === null) return ['the lockfile is not a JSON object'];
  const { lockfileVersion, packages } = lockfile as { lockfileVersion?: unknown; packages?: unknown };
  if (lockfileVersion !== 3) return [`lockfileVersion is ${JSON.stringify(lockfileVersion)}, expected 3`];
  if (typeof packages !== 'object' || packages === null) return ['the lockfile has no packages map'];
  const entries = Object.entries(packages as Record<string, LockEntry>);
  const workspaces = declaredWorkspaces(entries);
  return entries.flatMap(([key, entry]) => entryProblems(key, entry, workspaces));
}

function main(argv: string[]): number {
  const path = resolve(argv[0] ?? resolve(import.meta.dirname, '../../package-lock.json'));
  let lockfile: unknown;
  try {
    lockfile = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    console.error(`lockfile: cannot read ${path}: ${(error as Error).message}`);
    return 2;
  }
  const problems = lockfileProblems(lockfile);
  const installed = Object.entries((lockfile as { packages: Record<string, LockEntry> }).packages)
    .filter(([key, entry]) => key.includes('node_modules/') && entry.link !== true).length;
  if (problems.length > 0) {
    for (const problem of problems) console.error(`  ${problem}`);
    console.error(`lockfile: FAILED — ${problems.length} problem(s) in ${path}`);
    return 1;
  }
  console.log(`lockfile: OK — ${installed} package${installed === 1 ? '' : 's'}, each pinned to ${REGISTRY_HOST} with a sha512 integrity hash`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
