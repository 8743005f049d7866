import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { z } from 'zod';
import { isPublicAddress } from './addresses.ts';
import { HostRules, hostKey } from './hosts.ts';
import type { SecretMask } from './mask.ts';
import type { CredentialGrant, StepScope } from './types.ts';

/** A refusal or failure the code sees as a rejected promise: an `HttpError` with this code. */
export class HostCallError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/);
const requestSchema = z.strictObject({
  url: z.string().max(8192),
  method: z
    .string()
    .transform((method) => method.toUpperCase())
    .pipe(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']))
    .default('GET'),
  headers: z.record(headerName, z.string().max(8192).regex(/^[^\r\n\0]*$/)).default({}),
  body: z.json().optional(),
  credential: z.string().min(1).max(200).optional(),
});

/** Headers Node computes or that would change where or how the request goes. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'expect', 'te', 'trailer', 'keep-alive', 'proxy-authorization', 'proxy-connection']);

export interface OutboundContext {
  scope: StepScope;
  allowPrivateAddresses: boolean;
  /** Every secret sent so far in this step; grows before each credentialed request. */
  mask: SecretMask;
  /** Aborted when the step ends, so no request outlives it. */
  signal: AbortSignal;
  bodyBytes: number;
}

/**
 * `http.request` for sandboxed code (WFL-07): the URL's host and port must be declared by
 * the node (and by the credential, when one is named); the hostname is resolved once,
 * every address checked, and the connection pinned to the checked address, so a DNS
 * answer that changes between check and connect (rebinding) cannot redirect it. The
 * credential's secret is added here and masked in everything that goes back.
 * Redirects are not followed: the code gets the 3xx and may follow it itself, through
 * the same checks, without the credential being re-sent anywhere implicitly.
 */
export async function outboundRequest(raw: string, context: OutboundContext): Promise<string> {
  let options: z.infer<typeof requestSchema>;
  try {
    options = requestSchema.parse(JSON.parse(raw));
  } catch {
    throw new HostCallError('invalid_request', 'http.request takes { url, method?, headers?, body?, credential? } with string headers');
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new HostCallError('invalid_request', 'url is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HostCallError('invalid_request', 'only http and https URLs are allowed');
  if (url.username !== '' || url.password !== '') throw new HostCallError('invalid_request', 'credentials in the URL are not allowed; use a credential handle');
  if (!new HostRules(context.scope.hosts).allows(url)) throw new HostCallError('host_not_allowed', `${hostKey(url)} is not among the hosts this node declares`);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers)) {
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new HostCallError('invalid_request', `the ${name.toLowerCase()} header is set by the host`);
    headers[name.toLowerCase()] = value;
  }
  if (options.credential !== undefined) {
    const grant = await grantFor(options.credential, url, context.scope);
    // Registered before sending: an echo of any form of the secret is masked from here on.
    context.mask.add([...grant.secrets, ...Object.values(grant.headers)]);
    for (const [name, value] of Object.entries(grant.headers)) headers[name.toLowerCase()] = value;
  }
  let body: Buffer | undefined;
  if (options.body !== undefined) {
    body = Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body), 'utf8');
    if (typeof options.body !== 'string') headers['content-type'] ??= 'application/json';
    if (body.length > context.bodyBytes) throw new HostCallError('body_too_large', `the request body is over ${context.bodyBytes} bytes`);
    headers['content-length'] = String(body.length);
  }

  const pinned = await resolvePinned(url, context.allowPrivateAddresses);
  const response = await send(url, { method: options.method, headers, lookup: pinned, signal: context.signal }, body, context.bodyBytes);
  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.message.headers)) {
    if (value !== undefined) responseHeaders[name] = context.mask.apply(Array.isArray(value) ? value.join(', ') : value);
  }
  return JSON.stringify({
    status: response.message.statusCode ?? 0,
    headers: responseHeaders,
    body: context.mask.apply(response.body.toString('utf8')),
  });
}

async function grantFor(handle: string, url: URL, scope: StepScope): Promise<CredentialGrant> {
  let grant: CredentialGrant | undefined;
  try {
    grant = await scope.credentialFor?.(handle);
  } catch {
    // The resolver's own failure (a disabled credential, a vault error) says nothing to the code.
    grant = undefined;
  }
  if (!grant) throw new HostCallError('credential_unavailable', 'no usable credential with that handle for this node');
  if (!new HostRules(grant.hosts).allows(url)) throw new HostCallError('credential_host_not_allowed', `this credential may not be sent to ${hostKey(url)}`);
  return grant;
}

/** Resolves once, refuses if any answer is non-public, and returns a lookup that always yields the checked address. */
async function resolvePinned(url: URL, allowPrivate: boolean): Promise<LookupFunction> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (isIP(hostname)) {
    addresses = [{ address: hostname, family: isIP(hostname) }];
  } else {
    try {
      addresses = await lookup(hostname, { all: true, verbatim: true });
    } catch {
      throw new HostCallError('dns_failed', `${hostname} does not resolve`);
    }
  }
  if (addresses.length === 0) throw new HostCallError('dns_failed', `${hostname} does not resolve`);
  if (!allowPrivate && addresses.some((answer) => !isPublicAddress(answer.address))) {
    throw new HostCallError('private_address', `${hostname} resolves to a private, loopback or link-local address`);
  }
  const { address, family } = addresses[0]!;
  return ((_name: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as LookupFunction;
}

function send(url: URL, options: RequestOptions, body: Buffer | undefined, limit: number): Promise<{ message: IncomingMessage; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (message) => {
      const chunks: Buffer[] = [];
      let size = 0;
      message.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          request.destroy();
          reject(new HostCallError('body_too_large', `the response body is over ${limit} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      message.on('end', () => resolve({ message, body: Buffer.concat(chunks) }));
      message.on('error', () => reject(new HostCallError('network_error', 'the response was cut off')));
    });
    // Node's messages can carry addresses and internals; the code gets a fixed sentence.
    request.on('error', () => reject(new HostCallError(options.signal?.aborted ? 'aborted' : 'network_error', options.signal?.aborted ? 'the step ended' : `the request to ${hostKey(url)} failed`)));
    request.end(body);
  });
}
