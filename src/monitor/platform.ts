import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { Webhook } from 'standardwebhooks';
import { logReader } from '../audit/export.ts';
import { ConfigError, type EnclaveConfig } from '../core/config.ts';
import { workspaceDatabasePath } from '../core/layout.ts';
import type { Logger } from '../core/logger.ts';
import { readSecretFile } from '../core/secret-file.ts';
import type { Platform } from '../platform/platform.ts';
import { SiemForwarder } from './forwarder.ts';
import { httpsTarget } from './https-target.ts';
import { syslogTarget } from './syslog-target.ts';
import type { SiemTarget } from './target.ts';

type TargetConfig = EnclaveConfig['siem']['targets'][number];

/** Secrets and CA files are read once, here: a missing, readable-by-others or malformed one stops the server at start-up. */
function openTarget(target: TargetConfig, index: number): SiemTarget {
  const setting = `siem.targets.${index}`;
  if (target.kind === 'https') {
    let signer: Webhook;
    try {
      signer = new Webhook(readSecretFile(target.secretFile, `${setting}.secretFile`));
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`${setting}.secretFile must hold a Standard Webhooks secret: whsec_ followed by base64`);
    }
    return httpsTarget({ name: target.name, url: target.url, signer });
  }
  let ca: string | undefined;
  if (target.caFile) {
    try {
      ca = readFileSync(target.caFile, 'utf8');
    } catch {
      throw new ConfigError(`${setting}.caFile ${target.caFile} cannot be read`);
    }
  }
  return syslogTarget({ name: target.name, host: target.host, port: target.port, tls: target.tls, ca, hostname: hostname() });
}

/** How long a database must have been left alone before its file times are trusted to show the next change. */
const QUIET_MS = 2000;

/**
 * A workspace database's fingerprint: size and modification time of the file and its WAL,
 * both touched by every commit. Files changed in the last moments get none (they are read
 * every pass), since a commit right after the stat could leave a coarse mtime as it was.
 */
function databaseFingerprint(path: string, now: number): string | undefined {
  const files = [statSync(path, { throwIfNoEntry: false }), statSync(`${path}-wal`, { throwIfNoEntry: false })];
  if (!files[0] || files.some((file) => file && file.mtimeMs > now - QUIET_MS)) return undefined;
  return files.map((file) => (file ? `${file.size}@${file.mtimeMs}` : '-')).join(' ');
}

/** LOG-07: the forwarder `serve` runs, over the control log and every live workspace's log. */
export function openSiemForwarder(platform: Platform, logger: Logger): SiemForwarder {
  const { siem } = platform.config;
  const controlReader = logReader({ audit: platform.controlAudit, db: platform.controlDb });
  return new SiemForwarder({
    db: platform.controlDb,
    *logs() {
      yield 'control';
      for (const workspace of platform.workspaces.list()) yield workspace.id;
    },
    // The control database is always open and busy: it is simply read every pass.
    fingerprint: (log) => (log === 'control' ? undefined : databaseFingerprint(workspaceDatabasePath(platform.config.dataDir, log), Date.now())),
    reader: (log) => (log === 'control' ? controlReader : (page) => platform.workspaces.auditEvents(log, page)),
    targets: siem.targets.map(openTarget),
    batchSize: siem.batchSize,
    intervalMs: siem.intervalSeconds * 1000,
    logger,
  });
}
