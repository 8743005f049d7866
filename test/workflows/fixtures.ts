import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { TestServer } from '../helpers/server.ts';

/** A real HTTP server on 127.0.0.1 that records requests and answers with JSON. */
export async function startPeer(): Promise<{ host: string; url: string; received: { url: string; headers: IncomingHttpHeaders; body: string }[]; close(): Promise<void> }> {
  const received: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The three-node workflow of the issue: webhook trigger → sandboxed code → transform. */
export function webhookCodeTransform(): unknown {
  return {
    trigger: { type: 'webhook' },
    nodes: [
      { id: 'enrich', type: 'code', code: 'return { order: input.order, apiKey: input.apiKey, total: input.quantity * 3 };' },
      { id: 'shape', type: 'transform', fields: { orderId: 'order', total: 'total', apiKey: 'apiKey' } },
    ],
    edges: [{ from: 'enrich', to: 'shape' }],
  };
}

export async function createWorkflow(enclave: TestServer, workspace: { id: string; token: string }, body: unknown): Promise<{ workflow: { id: string; version: number }; webhookSecret?: string }> {
  const response = await enclave.request('POST', `/api/w/${workspace.id}/workflows`, { token: workspace.token, body });
  if (response.status !== 201) throw new Error(`creating the workflow answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { workflow: { id: string; version: number }; webhookSecret?: string };
}

/** Standard Webhooks headers for a body, signed with the library's own signer. */
export function signedHeaders(secret: string, body: string, options: { id?: string; at?: Date } = {}): Record<string, string> {
  const at = options.at ?? new Date();
  const id = options.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

export interface RunBody {
  id: string;
  status: string;
  version: number;
  incognito: boolean;
  input: unknown;
  output: unknown;
  errorCode: string | null;
  credits: number;
  steps: { nodeId: string; status: string; input: unknown; output: unknown; errorCode: string | null; credits: number; httpRequests: number }[];
}
