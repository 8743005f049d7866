import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEnclave } from '../helpers/cli.ts';

function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'enclave-prod-')), 'data');
}

const secureFlags = ['--trust-proxy', '127.0.0.1', '--public-url', 'https://enclave.example.test', '--security-contact', 'mailto:security@example.test', '--port', '0'];

describe('production refuses development keys and settings', () => {
  it('[OPS-01] a missing master key is refused, never created', async () => {
    const dataDir = freshDir();
    const result = await runEnclave(['serve', '--mode', 'production', '--data-dir', dataDir, ...secureFlags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^enclave: no master key at .*: run `enclave init --data-dir .*` or set ENCLAVE_MASTER_KEY\n$/);
  });

  it('[OPS-01] a master key created by development mode is refused', async () => {
    const dataDir = freshDir();
    // Development mode creates its own key on first start; stop it right after.
    const dev = await runEnclave(['workspaces', 'list', '--data-dir', dataDir]);
    expect(dev.code).toBe(2);
    const devServer = runEnclave(['serve', '--data-dir', dataDir, '--port', '0'], { timeoutMs: 4000 });
    const { stdout } = await devServer;
    expect(stdout).toContain('listening');
    const result = await runEnclave(['serve', '--mode', 'production', '--data-dir', dataDir, ...secureFlags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('production refuses the development master key');
  });

  it('[OPS-01] the default data directory is refused', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'enclave-prod-cwd-'));
    const result = await runEnclave(['serve', '--mode', 'production', ...secureFlags], {
      env: { ENCLAVE_MASTER_KEY: 'ab'.repeat(32) },
      cwd,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('production refuses the default data dir ./data');
  });

  it('[OPS-01] plain HTTP without a trusted proxy is refused', async () => {
    const dataDir = freshDir();
    expect((await runEnclave(['init', '--data-dir', dataDir])).code).toBe(0);
    const result = await runEnclave(['serve', '--mode', 'production', '--data-dir', dataDir, '--port', '0', '--public-url', 'https://enclave.example.test']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('production refuses plain HTTP: pass --tls-cert and --tls-key, or --trust-proxy ADDR');
  });

  it('[OPS-01] the placeholder security contact is refused', async () => {
    const dataDir = freshDir();
    expect((await runEnclave(['init', '--data-dir', dataDir])).code).toBe(0);
    const flags = secureFlags.filter((flag, i, all) => flag !== '--security-contact' && all[i - 1] !== '--security-contact');
    const result = await runEnclave(['serve', '--mode', 'production', '--data-dir', dataDir, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('production needs --security-contact');
  });

  it('[OPS-01] invalid settings are named in one line', async () => {
    const result = await runEnclave(['serve', '--port', '99999', '--data-dir', freshDir()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^enclave: invalid configuration: port: .*\n$/);
    const envResult = await runEnclave(['serve', '--data-dir', freshDir()], { env: { ENCLAVE_MASTER_KEY: 'not-hex' } });
    expect(envResult.stderr).toContain('masterKey: must be 64 hex characters');
  });
});
