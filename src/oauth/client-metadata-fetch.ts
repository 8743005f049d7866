import { request } from 'node:https';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_BYTES = 64 * 1024;

/**
 * oidc-provider fetches client metadata documents (AIC-03) through an agent that refuses
 * loopback and private addresses, as it must in production. Tests and local development
 * serve those documents from this machine, over https with their own CA: with
 * `mcp.allowLoopbackClientMetadata` this fetch reaches loopback hosts (only those, and
 * only over https, trusting `ca`), and hands every other URL to the protected default.
 */
export function loopbackMetadataFetch(ca: string | undefined): (input: string | URL | Request, options?: RequestInit) => Promise<Response> {
  return async (input, options = {}) => {
    const target = new URL(input instanceof Request ? input.url : input);
    if (target.protocol !== 'https:' || !LOOPBACK.has(target.hostname)) return globalThis.fetch(target, options);
    return new Promise<Response>((resolve, reject) => {
      const outgoing = request(target, { method: 'GET', headers: { accept: 'application/json' }, ...(ca ? { ca } : {}), ...(options.signal ? { signal: options.signal } : {}) }, (incoming) => {
        const chunks: Buffer[] = [];
        let received = 0;
        incoming.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_BYTES) {
            incoming.destroy(new Error('client metadata document too large'));
            return;
          }
          chunks.push(chunk);
        });
        incoming.on('error', reject);
        incoming.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value);
          resolve(new Response(Buffer.concat(chunks), { status: incoming.statusCode ?? 502, headers }));
        });
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  };
}
