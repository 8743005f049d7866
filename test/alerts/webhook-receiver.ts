import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  server: Server;
}

/** A webhook receiver on 127.0.0.1 that keeps every delivery. */
export async function startReceiver(): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      deliveries.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/enclave`, deliveries, server };
}

/** Standard Webhooks, checked by hand (not with the library that signed it): v1 = HMAC-SHA256 over "id.timestamp.body". */
export function signatureValid(delivery: Delivery, secret: string): boolean {
  const id = delivery.headers['webhook-id'] as string;
  const timestamp = delivery.headers['webhook-timestamp'] as string;
  const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${timestamp}.${delivery.body}`).digest('base64');
  return (delivery.headers['webhook-signature'] as string).split(' ').includes(`v1,${expected}`) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 60;
}
