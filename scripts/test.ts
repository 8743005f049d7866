/**
 * `./enclave test`: installs the system packages tests need, then runs every check and the
 * whole test suite, regenerates docs/SECURITY.md from the results, and ends with one
 * "N passed, N failed" line. Arguments are passed to vitest (for example a test path).
 */
import { spawnSync } from 'node:child_process';
import { ensureDebianPackages } from './debian-packages.ts';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const SYSTEM_PACKAGES: Record<string, string> = {
  '/usr/bin/chromium': 'chromium',
  '/usr/bin/sqlite3': 'sqlite3',
  // An independent TOTP implementation, the witness for MFA codes.
  '/usr/bin/oathtool': 'oathtool',
  // Decrypts backups in the tests, as an operator would: an age implementation that is not Enclave's.
  '/usr/bin/age': 'age',
  // Headless Chromium needs some font to render text in screenshots; Debian only recommends one.
  '/usr/share/fonts/truetype/dejavu': 'fonts-dejavu-core',
};

function run(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  return result.status === 0;
}

const packagesReady = ensureDebianPackages(SYSTEM_PACKAGES, 'the tests that need them will be skipped');
const browserMode = process.env.CI === 'true' ? 'required' : packagesReady ? 'available' : 'skip';
const testEnv = { ...process.env, ENCLAVE_BROWSER_TESTS: browserMode };
const npx = 'npx';

const checks: [string, boolean][] = [];
checks.push(['typecheck', run('typecheck', npx, ['--no-install', 'tsc', '-p', 'tsconfig.json'])]);
checks.push(['secret scan', run('secret scan (OPS-02)', 'bash', ['scripts/supply-chain/scan-secrets.sh'])]);
checks.push(['lockfile', run('lockfile check (OPS-03)', process.execPath, ['scripts/supply-chain/check-lockfile.ts'])]);
checks.push(['dependency audit', run('dependency audit (OPS-03)', process.execPath, ['scripts/supply-chain/audit-deps.ts'])]);

mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
const vitestOk = run(
  'tests',
  npx,
  ['--no-install', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...process.argv.slice(2)],
  testEnv,
);
checks.push(['tests', vitestOk]);
if (existsSync(report)) {
  checks.push(['security page', run('security page (OPS-05)', process.execPath, ['scripts/security-page.ts', report])]);
}

const failedChecks = checks.filter(([, ok]) => !ok).map(([name]) => name);
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  skipped = results.numPendingTests + results.numTodoTests;
}
process.stdout.write(`\n${failedChecks.length ? `failed checks: ${failedChecks.join(', ')}\n` : ''}`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failedChecks.length === 0 && failed === 0 ? 0 : 1;
