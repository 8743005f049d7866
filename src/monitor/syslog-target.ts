import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, rootCertificates } from 'node:tls';
import { errorCode, SiemDeliveryError, type SiemTarget } from './target.ts';
import { octetCounted, syslogMessage } from './syslog-format.ts';

const CONNECT_TIMEOUT_MS = 10_000;

export interface SyslogTargetOptions {
  name: string;
  host: string;
  port: number;
  tls: boolean;
  /** Extra PEM CA certificates for the collector, trusted besides the system's. */
  ca: string | undefined;
  /** HOSTNAME in every message. */
  hostname: string;
}

/**
 * LOG-07: RFC 5424 over one long-lived TCP (or TLS) connection, octet-counted per RFC 6587.
 * Syslog has no acknowledgement: a batch counts as delivered once the kernel took it, so a
 * collector that drops the connection may lose what was in flight (RELP would close that gap).
 */
export function syslogTarget(options: SyslogTargetOptions): SiemTarget {
  let socket: Socket | undefined;

  const open = (signal: AbortSignal) =>
    new Promise<Socket>((resolve, reject) => {
      const connection = options.tls
        ? connectTls({
            host: options.host,
            port: options.port,
            minVersion: 'TLSv1.2',
            ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
          })
        : connectTcp({ host: options.host, port: options.port });
      const aborted = () => failed(Object.assign(new Error('aborted'), { code: 'aborted' }));
      const failed = (error: Error) => {
        signal.removeEventListener('abort', aborted);
        connection.destroy();
        reject(error);
      };
      signal.addEventListener('abort', aborted, { once: true });
      connection.setTimeout(CONNECT_TIMEOUT_MS, () => failed(Object.assign(new Error('timeout'), { code: 'timeout' })));
      connection.once('error', failed);
      connection.once(options.tls ? 'secureConnect' : 'connect', () => {
        connection.setTimeout(0);
        connection.off('error', failed);
        signal.removeEventListener('abort', aborted);
        // Later errors surface at the next write; until then the socket is just dropped.
        connection.on('error', () => connection.destroy());
        connection.once('close', () => {
          if (socket === connection) socket = undefined;
        });
        // The collector never speaks in this protocol; whatever it sends is discarded.
        connection.resume();
        resolve(connection);
      });
    });

  return {
    name: options.name,
    async send(log, events, signal) {
      // Shutting down: a connection attempt or a write stuck on a slow collector is given up.
      const abandon = () => socket?.destroy(Object.assign(new Error('aborted'), { code: 'aborted' }));
      signal.addEventListener('abort', abandon, { once: true });
      const frames = Buffer.concat(events.map((event) => octetCounted(syslogMessage(log, event, options.hostname))));
      try {
        socket ??= await open(signal);
        const connection = socket;
        await new Promise<void>((resolve, reject) => connection.write(frames, (error) => (error ? reject(error) : resolve())));
      } catch (error) {
        socket?.destroy();
        socket = undefined;
        throw new SiemDeliveryError(`syslog ${options.tls ? 'TLS' : 'TCP'} delivery failed (${errorCode(error)})`);
      } finally {
        signal.removeEventListener('abort', abandon);
      }
    },
    close() {
      socket?.end();
      socket = undefined;
    },
  };
}
