import { randomInt } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runExecutable } from './run-script.ts';

const SCANNER = join(ROOT, 'scripts/supply-chain/scan-secrets.sh');
const HOOK = join(ROOT, '.githooks/pre-commit');

const scratch = mkdtempSync(join(tmpdir(), 'enclave-secrets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function randomText(alphabet: string, length: number): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/**
 * An AWS secret access key in the shape secretlint looks for. It is built at run time so the
 * repository itself never holds one (that would fail the clean-repository test below).
 */
function fakeAwsCredentials(): { secretAccessKey: string; file: string } {
  // Alphanumeric only: the rule wants a word boundary after the key, which '+' or '/' would lack.
  const secretAccessKey = randomText('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 40);
  return { secretAccessKey, file: 'aws_secret' + '_access_key = "' + secretAccessKey + '"\n' };
}

/** Git without the caller's repository settings, as a hook would see a fresh clone. */
function gitEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')));
}

function git(repo: string, ...args: string[]): void {
  const result = runExecutable('git', ['-c', 'init.defaultBranch=main', ...args], { cwd: repo, env: gitEnv() });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
}

describe('secret scanning', () => {
  it('[OPS-02] the scanner flags a generated AWS key and prints it only masked', () => {
    const credentials = fakeAwsCredentials();
    const leak = join(scratch, 'leaky.env');
    writeFileSync(leak, credentials.file);
    const result = runExecutable(SCANNER, [leak]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('[AWSSecretAccessKey]');
    expect(result.stdout + result.stderr).not.toContain(credentials.secretAccessKey);
    expect(result.stderr).toContain('SECRETS FOUND');
  });

  it('[OPS-02] the repository, tracked and untracked files alike, scans clean', () => {
    const result = runExecutable(SCANNER, []);
    expect(result.status, result.stdout).toBe(0);
    expect(result.stderr).toMatch(/no secrets found in \d+ file\(s\)/);
  });

  it('[OPS-02] the pre-commit hook blocks a staged secret, judging the staged content rather than the working copy', () => {
    const repo = join(scratch, 'repo');
    git(scratch, 'init', '-q', repo);
    copyFileSync(join(ROOT, '.secretlintrc.json'), join(repo, '.secretlintrc.json'));
    const credentials = fakeAwsCredentials();
    const config = join(repo, 'deploy.env');

    writeFileSync(config, credentials.file);
    git(repo, 'add', 'deploy.env');
    writeFileSync(config, 'AWS_PROFILE=ci\n');
    const blocked = runExecutable(HOOK, [], { cwd: repo, env: gitEnv() });
    expect(blocked.status).toBe(1);
    expect(blocked.stdout).toContain('[AWSSecretAccessKey]');

    git(repo, 'add', 'deploy.env');
    writeFileSync(config, credentials.file);
    const allowed = runExecutable(HOOK, [], { cwd: repo, env: gitEnv() });
    expect(allowed.status, allowed.stdout).toBe(0);
  });
});
