import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runTypeScript } from './run-script.ts';

const scratch = mkdtempSync(join(tmpdir(), 'enclave-supply-chain-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, Record<string, unknown>>;
}

const realLockfile = (): Lockfile => JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile;

function checkLockfile(name: string, lockfile: Lockfile) {
  const path = join(scratch, `${name}.package-lock.json`);
  writeFileSync(path, JSON.stringify(lockfile));
  return runTypeScript('scripts/supply-chain/check-lockfile.ts', [path]);
}

function firstRegistryPackage(lockfile: Lockfile): [string, Record<string, unknown>] {
  const entry = Object.entries(lockfile.packages).find(([key, value]) => key.startsWith('node_modules/') && !key.includes('@') && value.link !== true);
  if (!entry) throw new Error('the lockfile holds no unscoped registry package');
  return entry;
}

// Each doctoring turns the real lockfile into one that could install code from elsewhere.
const doctorings: [string, (lockfile: Lockfile) => void, RegExp][] = [
  ['a git dependency', (lockfile) => {
    lockfile.packages['']!.dependencies = { ...(lockfile.packages['']!.dependencies as object), evil: 'github:attacker/evil' };
    lockfile.packages['node_modules/evil'] = { version: '1.0.0', resolved: 'git+ssh://git@github.com/attacker/evil.git#0123abc' };
  }, /node_modules\/evil: .*git\+ssh/],
  ['a tarball from another host', (lockfile) => {
    const [key, entry] = firstRegistryPackage(lockfile);
    entry.resolved = `https://registry.attacker.example/${key.slice('node_modules/'.length)}/-/x-1.0.0.tgz`;
  }, /resolved "https:\/\/registry\.attacker\.example/],
  ['a registry tarball of a different package', (lockfile) => {
    const [, entry] = firstRegistryPackage(lockfile);
    entry.resolved = 'https://registry.npmjs.org/evil/-/evil-1.0.0.tgz';
  }, /is not a https:\/\/registry\.npmjs\.org\/.*\/-\/ tarball/],
  ['a package without an integrity hash', (lockfile) => {
    delete firstRegistryPackage(lockfile)[1].integrity;
  }, /no sha512 integrity hash/],
  ['a sha1-only integrity hash', (lockfile) => {
    firstRegistryPackage(lockfile)[1].integrity = 'sha1-2jmcKMl2ZvAnr5Q9Fu2MBwBm5p0=';
  }, /no sha512 integrity hash/],
  ['a file: link outside any workspace', (lockfile) => {
    lockfile.packages['node_modules/local'] = { resolved: '../outside', link: true };
  }, /node_modules\/local: links to \.\.\/outside, which is not a declared workspace/],
  ['a lockfile older than version 3', (lockfile) => {
    lockfile.lockfileVersion = 2;
  }, /lockfileVersion is 2, expected 3/],
];

describe('lockfile check', () => {
  it('[OPS-03] accepts the repository lockfile', () => {
    const result = runTypeScript('scripts/supply-chain/check-lockfile.ts', []);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^lockfile: OK — \d+ packages?, each pinned to registry\.npmjs\.org with a sha512 integrity hash$/m);
  });

  it.each(doctorings)('[OPS-03] refuses a lockfile with %s', (name, doctor, problem) => {
    const lockfile = realLockfile();
    doctor(lockfile);
    const result = checkLockfile(name.replaceAll(/\W+/g, '-'), lockfile);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(problem);
    expect(result.stderr).toMatch(/^lockfile: FAILED — \d+ problem\(s\)/m);
  });
});

/** Runs the audit script against a stand-in `npm` that prints `output` and records its arguments. */
function auditWith(name: string, output: unknown, args: string[] = []) {
  const bin = join(scratch, name);
  mkdirSync(bin);
  writeFileSync(join(bin, 'audit.json'), JSON.stringify(output));
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\nprintf '%s ' "$@" > "${bin}/args"\ncat "${bin}/audit.json"\nexit 1\n`);
  chmodSync(join(bin, 'npm'), 0o755);
  const result = runTypeScript('scripts/supply-chain/audit-deps.ts', args, { env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` } });
  return { ...result, npmArgs: readFileSync(join(bin, 'args'), 'utf8') };
}

function report(counts: Record<string, number>, vulnerabilities: Record<string, unknown> = {}) {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  return {
    auditReportVersion: 2,
    vulnerabilities,
    metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, ...counts, total }, dependencies: { total: 265 } },
  };
}

describe('dependency audit', () => {
  it('[OPS-03] fails on a high or critical advisory and names it', () => {
    const advisory = { source: 1, name: 'left-pad', title: 'Prototype pollution in left-pad', url: 'https://github.com/advisories/GHSA-0000-0000-0000', severity: 'critical', range: '<1.3.1' };
    const result = auditWith('critical', report({ critical: 1, low: 2 }, { 'left-pad': { name: 'left-pad', severity: 'critical', via: [advisory], range: '<1.3.1', fixAvailable: true } }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('critical left-pad <1.3.1 — Prototype pollution in left-pad (https://github.com/advisories/GHSA-0000-0000-0000) [fix available]');
    expect(result.stderr).toContain('dependency audit: FAILED — 1 critical, 0 high, 0 moderate, 2 low, 0 info across 265 dependencies');
    // Everything is audited: dev tools run in CI too, so nothing is omitted.
    expect(result.npmArgs).toMatch(/^audit --json --audit-level=high /);
    expect(result.npmArgs).not.toContain('--omit');
  });

  it('[OPS-03] passes a report without high or critical advisories and prints the counts', () => {
    const result = auditWith('clean', report({ moderate: 1 }));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('dependency audit: OK — 0 critical, 0 high, 1 moderate, 0 low, 0 info across 265 dependencies');
  });

  it('[OPS-03] says loudly when the registry has no audit endpoint instead of passing silently', () => {
    const refused = { message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 };
    const unavailable = auditWith('unavailable', refused);
    expect(unavailable.status).toBe(0);
    expect(unavailable.stdout).toContain('dependency audit: UNAVAILABLE — the registry offers no audit endpoint here (405 Method Not Allowed');
    expect(unavailable.stdout).toContain('this run did not check advisories');
    expect(auditWith('unavailable-required', refused, ['--fail-if-unavailable']).status).toBe(2);
    const offline = auditWith('offline', { message: 'request to https://registry.npmjs.org/-/npm/v1/security/advisories/bulk failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org' });
    expect(offline.stdout).toContain('UNAVAILABLE');
  });

  it('[OPS-03] fails when npm audit cannot run at all', () => {
    const result = auditWith('no-lockfile', { error: { code: 'ENOLOCK', summary: 'This command requires an existing lockfile.' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('dependency audit: ERROR — npm audit could not run (ENOLOCK: This command requires an existing lockfile.)');
  });
});
