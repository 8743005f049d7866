import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const stampFile = join(root, 'web/dist/.enclave-build');
const lockDir = join(tmpdir(), `enclave-dashboard-build-${createHash('sha256').update(root).digest('hex').slice(0, 16)}`);
const STALE_LOCK_MS = 120_000;

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The same fingerprint ./enclave's build_dashboard writes to web/dist/.enclave-build
 * (`sha256sum` of every file under web/ but dist, sorted bytewise), so a build by either
 * one satisfies the other.
 */
function sourceFingerprint(): string {
  const files = readdirSync(join(root, 'web'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((path) => !path.startsWith('web/dist/'))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return sha256(files.map((path) => `${sha256(readFileSync(join(root, path)))}  ${path}\n`).join(''));
}

function builtFrom(fingerprint: string): boolean {
  return existsSync(join(root, 'web/dist/index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === fingerprint;
}

/** Test files run in parallel processes; a directory is created atomically, so it serves as the lock. */
async function withBuildLock(work: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      const lock = statSync(lockDir, { throwIfNoEntry: false });
      // A test process killed mid-build leaves its lock behind; no build takes this long.
      if (lock && Date.now() - lock.mtimeMs > STALE_LOCK_MS) rmSync(lockDir, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Builds web/dist when it is missing or older than the sources, the way ./enclave would before serving. */
export async function ensureDashboardBuilt(): Promise<void> {
  if (builtFrom(sourceFingerprint())) return;
  await withBuildLock(async () => {
    const fingerprint = sourceFingerprint();
    if (builtFrom(fingerprint)) return;
    await promisify(execFile)('npx', ['--no-install', 'vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
      cwd: root,
    });
    writeFileSync(stampFile, fingerprint);
  });
}
