import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';

export interface WebhookDelivery {
  headers: Record<string, string>;
  body: string;
}

/** A SIEM's HTTPS collector stand-in on 127.0.0.1: keeps every POST as received. */
export async function startWebhookReceiver(): Promise<{ url: string; deliveries: WebhookDelivery[]; close(): Promise<void> }> {
  const deliveries: WebhookDelivery[] = [];
  const server = createHttpServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      deliveries.push({ headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)])), body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/siem/enclave`,
    deliveries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A syslog collector on 127.0.0.1 that reads RFC 6587 octet-counted frames: digits, one
 * space, then exactly that many bytes of message. Anything else in the stream is a framing
 * error, kept so the test can fail on it.
 */
export async function startSyslogReceiver(options: { tls?: { key: string; cert: string } } = {}): Promise<{ port: number; messages: string[]; framingErrors: string[]; close(): Promise<void> }> {
  const messages: string[] = [];
  const framingErrors: string[] = [];
  const sockets = new Set<Socket>();
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const space = buffered.indexOf(0x20);
        if (space === -1) break;
        const length = buffered.subarray(0, space).toString('ascii');
        if (!/^[1-9][0-9]*$/.test(length)) {
          framingErrors.push(buffered.subarray(0, 40).toString('utf8'));
          socket.destroy();
          return;
        }
        const end = space + 1 + Number(length);
        if (buffered.length < end) break;
        messages.push(buffered.subarray(space + 1, end).toString('utf8'));
        buffered = buffered.subarray(end);
      }
    });
  };
  const server = options.tls ? createTlsServer(options.tls, accept) : createTcpServer(accept);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    messages,
    framingErrors,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** RFC 5424 §6: HEADER SP STRUCTURED-DATA [SP MSG], with the header's seven fields. */
const SYSLOG = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[(?:[^"\]]|"(?:[^"\\]|\\.)*")*\])(?: (.*))?$/s;

export interface SyslogMessage {
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sdId: string;
  params: Record<string, string>;
  msg: string | undefined;
}

/** Parses one message, structured-data parameters unescaped (RFC 5424 §6.3.3); throws if it is not RFC 5424. */
export function parseSyslog(message: string): SyslogMessage {
  const match = SYSLOG.exec(message);
  if (!match) throw new Error(`not an RFC 5424 message: ${message.slice(0, 80)}`);
  const [, pri, timestamp, hostname, appName, procId, msgId, data, msg] = match;
  const element = /^\[([^ \]=]+)((?: [^ =\]"]+="(?:[^"\\]|\\.)*")*)\]$/s.exec(data!);
  if (!element) throw new Error('not one SD-ELEMENT');
  const params: Record<string, string> = {};
  for (const [, name, value] of element[2]!.matchAll(/ ([^ =\]"]+)="((?:[^"\\]|\\.)*)"/gs)) params[name!] = value!.replace(/\\(["\\\]])/g, '$1');
  return { pri: Number(pri), timestamp: timestamp!, hostname: hostname!, appName: appName!, procId: procId!, msgId: msgId!, sdId: element[1]!, params, msg };
}
