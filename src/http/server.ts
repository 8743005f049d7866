import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import { publicOrigin, type EnclaveConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { sweepExpired } from '../platform/expiry-sweeper.ts';
import { sweepRetention } from '../platform/retention-sweeper.ts';
import { openPlatform, type Platform } from '../platform/platform.ts';
import { startBackups } from '../backup/schedule.ts';
import { openSiemForwarder } from '../monitor/platform.ts';
import { startWorkflowScheduler } from '../workflows/scheduler.ts';
import { buildApp } from './app.ts';

/** CRY-06: TLS 1.2 minimum; TLS 1.3 suites are Node's defaults, 1.2 is limited to AEAD with forward secrecy. */
const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export interface RunningServer {
  app: FastifyInstance;
  platform: Platform;
  origin: string;
  port: number;
  /** While the server has no account: the file holding the first-run setup token. */
  setupTokenPath: string | undefined;
  close(): Promise<void>;
}

export async function startServer(
  config: EnclaveConfig,
  options: { logDestination?: DestinationStream } = {},
): Promise<RunningServer> {
  const logger = createLogger({ level: config.logLevel, ...(options.logDestination ? { destination: options.logDestination } : {}) });
  const platform = openPlatform(config, { createKeyInDevelopment: true });
  const backups = await startBackups(platform, logger).catch((error: unknown) => {
    platform.close();
    throw error;
  });
  let siem;
  try {
    siem = openSiemForwarder(platform, logger);
  } catch (error) {
    await backups.stop();
    platform.close();
    throw error;
  }
  if (platform.keyring.masterKeyOrigin === 'development') {
    logger.warn('using a development master key created on first start; production refuses it');
  }
  let origins: string[] = [];
  const https = config.tlsCert && config.tlsKey
    ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey), minVersion: 'TLSv1.2' as const, ciphers: TLS12_CIPHERS, honorCipherOrder: true }
    : undefined;
  const app = await buildApp({ platform, logger, allowedOrigins: () => origins, ...(https ? { https } : {}) });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await backups.stop();
    await siem.stop();
    await app.close();
    platform.close();
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  const origin = publicOrigin(config, port);
  origins = [origin];
  const setup = platform.setup.prepare();
  const checkpoints = setInterval(() => {
    platform.controlAudit.checkpoint();
    platform.databases.checkpointAll();
  }, config.auditCheckpointSeconds * 1000);
  checkpoints.unref();
  const sweeps = setInterval(() => {
    const swept = sweepExpired(platform.controlDb, { now: new Date(), forgetFailuresAfterSeconds: config.signInLockout.forgetAfterSeconds });
    logger.debug({ swept }, 'expired rows deleted');
  }, config.expirySweepSeconds * 1000);
  sweeps.unref();
  const stopping = new AbortController();
  const retention = () =>
    sweepRetention(platform, new Date(), { logger, signal: stopping.signal }).then(
      (sweep) => logger.info({ sweep }, 'audit retention applied'),
      (error: unknown) => logger.error({ err: error }, 'audit retention sweep failed'),
    );
  const retentionSweeps = setInterval(retention, config.retention.sweepSeconds * 1000);
  retentionSweeps.unref();
  siem.start();
  const schedules = startWorkflowScheduler(platform, logger);
  return {
    app,
    platform,
    origin,
    port,
    setupTokenPath: setup?.tokenPath,
    async close() {
      clearInterval(checkpoints);
      clearInterval(sweeps);
      clearInterval(retentionSweeps);
      await schedules.stop();
      await backups.stop();
      stopping.abort();
      await siem.stop();
      await app.close();
      platform.close();
      logger.flush();
    },
  };
}
