import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigError, loadConfig, type EnclaveConfig } from '../core/config.ts';
import { DIR_MODE } from '../core/database.ts';
import { createMasterKeyFile, Keyring, type MasterKey } from '../core/keyring.ts';
import type { Platform } from '../platform/platform.ts';
import { decryptFile, measureFile } from './age-stream.ts';
import { BackupCorruptError, MANIFEST_NAME, manifestMacValid, readManifest, type BackupManifest } from './manifest.ts';
import { listBackups } from './retention.ts';

export interface DrillStep {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface DrillReport {
  ok: boolean;
  backup: string;
  steps: DrillStep[];
  totalMs: number;
  /** The backup file at fault, relative to the backup directory, when one is. */
  failedFile?: string;
}

export interface DrillOptions {
  /** A backup directory, or a target holding several (the newest complete one is taken). */
  from: string;
  identities: string[];
  /** The master key (and, after a rotation, its version and carried-over control root: CRY-03). */
  masterKey: MasterKey;
  /** Starts Enclave on the restored data (the CLI passes the HTTP server's start, which this layer may not import). */
  start: (config: EnclaveConfig) => Promise<DrillInstance>;
  /** Called as each step ends. */
  progress?: (step: DrillStep) => void;
}

/** What the drill needs of a running Enclave. */
export interface DrillInstance {
  origin: string;
  platform: Platform;
  close(): Promise<void>;
}

/** The backup a drill restores: `from` itself when it holds a manifest, else the newest complete backup under it. */
export function latestBackup(from: string): string {
  if (existsSync(join(from, MANIFEST_NAME))) return from;
  const newest = listBackups(from).at(-1);
  if (!newest) throw new ConfigError(`no backup in ${from}: expected a directory with ${MANIFEST_NAME}, or one holding such directories`);
  return join(from, newest.name);
}

/**
 * A first master key goes to the instance as ENCLAVE_MASTER_KEY would; a rotated one (CRY-03)
 * has a version and a control root the environment cannot carry, so it becomes the restored
 * data dir's key file.
 */
function masterKeyFor(dataDir: string, master: MasterKey): { masterKey?: string } {
  if (master.version === 1 && !master.controlRoot) return { masterKey: master.key.toString('hex') };
  createMasterKeyFile(dataDir, 'init', { key: master.key, version: master.version, ...(master.controlRoot ? { controlRoot: master.controlRoot } : {}) });
  return {};
}

const SYSTEM = { actor: { type: 'operator' as const, id: 'restore-drill' } };

/**
 * BKP-03: restores a backup into a throwaway directory and proves it works: the manifest's
 * MAC under the master key, checksums against the manifest, age decryption, an Enclave instance on a free loopback port,
 * every audit chain verified, then a smoke test over HTTP (health, sign-in, the list of
 * workspaces, opening each workspace, each chain's verification route). The first failing
 * step ends the drill; the instance and the directory are always removed.
 */
export async function runRestoreDrill(options: DrillOptions): Promise<DrillReport> {
  const started = performance.now();
  const backup = latestBackup(options.from);
  const report: DrillReport = { ok: true, backup, steps: [], totalMs: 0 };
  const step = async <T>(name: string, run: () => Promise<{ value: T; detail: string }>): Promise<T | undefined> => {
    if (!report.ok) return undefined;
    const begun = performance.now();
    try {
      const { value, detail } = await run();
      record({ name, ok: true, ms: elapsed(begun), detail });
      return value;
    } catch (error) {
      report.ok = false;
      if (error instanceof BackupCorruptError) report.failedFile = error.file;
      record({ name, ok: false, ms: elapsed(begun), detail: (error as Error).message });
      return undefined;
    }
  };
  const record = (done: DrillStep) => {
    report.steps.push(done);
    options.progress?.(done);
  };
  const scratch = mkdtempSync(join(tmpdir(), 'enclave-restore-drill-'));
  const dataDir = join(scratch, 'data');
  let server: DrillInstance | undefined;
  try {
    const manifest = await step('manifest', async () => {
      const read = readManifest(backup);
      const macKey = new Keyring(options.masterKey).controlKey('backup');
      if (!manifestMacValid(read, macKey)) {
        throw new BackupCorruptError(MANIFEST_NAME, 'its MAC does not verify with this master key: it was edited, or the backup is of another installation');
      }
      return { value: read, detail: `${read.files.length} files, ${read.workspaces.length} workspaces, written ${read.createdAt} by Enclave ${read.enclaveVersion}` };
    });
    if (manifest) {
      await step('checksums', async () => ({ value: undefined, detail: await verifyChecksums(backup, manifest) }));
      await step('decrypt', async () => ({ value: undefined, detail: await decryptAll(backup, manifest, dataDir, options.identities) }));
      server = await step('start', async () => {
        const config = loadConfig({
          env: {},
          flags: {
            dataDir,
            host: '127.0.0.1',
            port: 0,
            ...masterKeyFor(dataDir, options.masterKey),
            logLevel: 'silent',
            backup: { recipient: manifest.recipient, schedule: 'off' },
          },
        });
        const running = await options.start(config);
        return { value: running, detail: `listening on ${running.origin}` };
      });
      if (server) {
        const running = server;
        await step('audit chains', async () => ({ value: undefined, detail: verifyChains(running, manifest) }));
        await step('http smoke test', async () => ({ value: undefined, detail: await smokeTest(running, manifest) }));
      }
    }
  } finally {
    const begun = performance.now();
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
    record({ name: 'teardown', ok: true, ms: elapsed(begun), detail: 'instance stopped, restored files removed' });
  }
  report.totalMs = elapsed(started);
  return report;
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}

async function verifyChecksums(backup: string, manifest: BackupManifest): Promise<string> {
  let bytes = 0;
  for (const file of manifest.files) {
    const path = join(backup, file.path);
    if (!existsSync(path)) throw new BackupCorruptError(file.path, 'is missing');
    const size = statSync(path).size;
    if (size !== file.bytes) throw new BackupCorruptError(file.path, `is ${size} bytes but the manifest says ${file.bytes}: truncated or altered`);
    const measured = await measureFile(path);
    if (measured.sha256 !== file.sha256) throw new BackupCorruptError(file.path, 'does not match its SHA-256 in the manifest: corrupted');
    bytes += size;
  }
  return `${manifest.files.length} files, ${bytes} bytes match the manifest`;
}

async function decryptAll(backup: string, manifest: BackupManifest, dataDir: string, identities: string[]): Promise<string> {
  let bytes = 0;
  for (const file of manifest.files) {
    const target = join(dataDir, file.path.replace(/\.age$/, ''));
    mkdirSync(dirname(target), { recursive: true, mode: DIR_MODE });
    let written;
    try {
      written = await decryptFile(join(backup, file.path), target, identities);
    } catch (error) {
      throw new BackupCorruptError(file.path, `does not decrypt with the identity given (${(error as Error).message})`);
    }
    if (written.bytes !== file.plainBytes) throw new BackupCorruptError(file.path, `decrypts to ${written.bytes} bytes but the manifest says ${file.plainBytes}`);
    bytes += written.bytes;
  }
  return `${manifest.files.length} files, ${bytes} bytes decrypted`;
}

function verifyChains(server: DrillInstance, manifest: BackupManifest): string {
  const { platform } = server;
  const control = platform.verifyControlAudit();
  if (!control.ok) throw new Error(`the control audit chain fails at event ${control.firstBadSeq}: ${control.problem}`);
  let events = control.events;
  for (const workspaceId of manifest.workspaces) {
    if (!platform.workspaces.exists(workspaceId)) throw new Error(`workspace ${workspaceId} is in the manifest but not in the restored control database`);
    const result = platform.workspaces.verifyAudit(workspaceId);
    if (!result.ok) throw new BackupCorruptError(`workspaces/${workspaceId}/workspace.db.age`, `its audit chain fails at event ${result.firstBadSeq}: ${result.problem}`);
    events += result.events;
  }
  return `${manifest.workspaces.length + 1} chains, ${events} events verified`;
}

async function expectJson<T>(response: Response, what: string): Promise<T> {
  if (response.status !== 200) throw new Error(`${what} answered ${response.status}`);
  return (await response.json()) as T;
}

/**
 * Over HTTP, as a client would. The drill signs in as an account of its own, made in the
 * throwaway copy only (the backup's passwords are not known to it), with an owner API key
 * per workspace so workspace policies such as required MFA do not stop the check.
 */
async function smokeTest(server: DrillInstance, manifest: BackupManifest): Promise<string> {
  const { platform, origin } = server;
  const health = await expectJson<{ status: string }>(await fetch(`${origin}/healthz`), 'GET /healthz');
  if (health.status !== 'ok') throw new Error('GET /healthz did not report ok');
  const email = `restore-drill-${randomUUID()}@restore-drill.example`;
  const password = `drill-${randomUUID()}`;
  await platform.identity.createVerifiedUser({ email, name: 'Restore drill', password }, SYSTEM);
  const signIn = await fetch(`${origin}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ email, password }),
  });
  if (signIn.status !== 200) throw new Error(`POST /api/auth/sign-in/email answered ${signIn.status}`);
  const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
  for (const workspaceId of manifest.workspaces) await platform.members.add(workspaceId, email, 'viewer', SYSTEM);
  const listed = await expectJson<{ workspaces: { id: string }[] }>(await fetch(`${origin}/api/workspaces`, { headers: { cookie } }), 'GET /api/workspaces');
  const ids = new Set(listed.workspaces.map((workspace) => workspace.id));
  const missing = manifest.workspaces.filter((id) => !ids.has(id));
  if (missing.length > 0) throw new Error(`GET /api/workspaces does not list ${missing.join(', ')}`);
  for (const workspaceId of manifest.workspaces) {
    const { token } = await platform.apiKeys.create(workspaceId, { name: 'restore drill', role: 'owner' }, SYSTEM);
    const headers = { authorization: `Bearer ${token}` };
    const opened = await expectJson<{ id: string }>(await fetch(`${origin}/api/w/${workspaceId}`, { headers }), `GET /api/w/${workspaceId}`);
    if (opened.id !== workspaceId) throw new Error(`GET /api/w/${workspaceId} answered another workspace`);
    const verification = await expectJson<{ ok: boolean }>(
      await fetch(`${origin}/api/w/${workspaceId}/audit-events/verification`, { headers }),
      `GET /api/w/${workspaceId}/audit-events/verification`,
    );
    if (!verification.ok) throw new Error(`the audit chain of ${workspaceId} does not verify over HTTP`);
  }
  return `healthz ok, signed in, ${manifest.workspaces.length} workspaces listed, opened and verified over HTTP`;
}
