import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { challengeMessage } from '../agents/challenge.ts';
import type { AgentIdentity } from './state.ts';

/** The server refused this agent's key: revoked, or its workspace is gone. Only pairing again helps. */
export class AgentRevokedError extends Error {
  override name = 'AgentRevokedError';
}

/** An answer the agent cannot fix by retrying. `code` is the server's stable error code. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface RetryPolicy {
  /** Attempts per request before giving up on network errors, 429 and 5xx. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 500, maxDelayMs: 30_000 };
/** Renew this long (or a quarter of the lifetime, if shorter) before the access token runs out, so no request races its expiry. */
const RENEW_MARGIN_MS = 60_000;
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/** Sleeps unless `signal` aborts first; never throws. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Retry-After as seconds (or an HTTP date), capped so a bad value cannot park the agent for good. */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), 10 * 60_000) : undefined;
}

export async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  return new ApiError(response.status, body?.error?.code ?? `http_${response.status}`, body?.error?.message ?? response.statusText);
}

/**
 * HTTP to one Enclave server with retries: network errors, 429 (honouring Retry-After) and
 * 5xx are retried with exponential back-off and jitter; anything else is final. Redirects
 * are refused, so a bearer token is only ever sent to the configured server.
 */
export class HttpClient {
  readonly server: URL;
  readonly #retry: RetryPolicy;
  readonly #signal: AbortSignal | undefined;
  readonly #onRetry: (reason: string, delayMs: number) => void;

  constructor(server: string, options: { retry?: RetryPolicy; signal?: AbortSignal; onRetry?: (reason: string, delayMs: number) => void } = {}) {
    this.server = new URL(server);
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#signal = options.signal;
    this.#onRetry = options.onRetry ?? (() => {});
  }

  /**
   * The response of the first attempt that is not retryable (2xx or a final error status).
   * `token` is asked for on every attempt: back-off can outlast an access token.
   */
  async send(method: string, path: string, body: unknown, token?: () => Promise<string>): Promise<Response> {
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${await token()}`;
      let response: Response | undefined;
      let reason: string;
      try {
        response = await fetch(url, { method, headers, body: payload, redirect: 'error' });
        if (!RETRYABLE.has(response.status)) return response;
        reason = `HTTP ${response.status}`;
      } catch (error) {
        reason = `network error: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`;
      }
      if (attempt >= this.#retry.attempts || this.#signal?.aborted) {
        if (response) return response;
        throw new ApiError(0, 'network_error', `${url.origin} cannot be reached (${reason})`);
      }
      const backoff = Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (attempt - 1));
      const delay = (response && retryAfterMs(response)) ?? backoff / 2 + Math.random() * (backoff / 2);
      await response?.body?.cancel();
      this.#onRetry(reason, delay);
      await pause(delay, this.#signal);
    }
  }

  async json<T>(method: string, path: string, body: unknown, token?: () => Promise<string>): Promise<T> {
    const response = await this.send(method, path, body, token);
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }
}

/** Pairs once: the pairing token and the public key for an agent id (AGT-01). */
export async function pair(http: HttpClient, input: { token: string; publicKey: { kty: string; crv: string; x: string }; name: string }): Promise<{ agentId: string; workspaceId: string }> {
  return http.json('POST', '/api/agents/pair', input);
}

/**
 * A paired agent's session with the server (AGT-02): access tokens come from signing a fresh
 * challenge with the agent's private key and are renewed before they run out; the pairing
 * token is never needed again. A refused renewal means the agent was revoked.
 */
export class AgentSession {
  readonly http: HttpClient;
  readonly identity: AgentIdentity;
  readonly #key: KeyObject;
  #token: string | undefined;
  #renewAt = 0;

  constructor(http: HttpClient, identity: AgentIdentity) {
    this.http = http;
    this.identity = identity;
    this.#key = createPrivateKey(identity.privateKey);
  }

  async #renew(): Promise<string> {
    const { agentId } = this.identity;
    const { nonce } = await this.http.json<{ nonce: string }>('POST', '/api/agents/challenge', { agentId });
    const signature = sign(null, challengeMessage(agentId, nonce), this.#key).toString('base64url');
    const response = await this.http.send('POST', '/api/agents/token', { agentId, nonce, signature });
    if (response.status === 401) {
      await response.body?.cancel();
      throw new AgentRevokedError('the server no longer accepts this agent (it was revoked, or its workspace was deleted): ask an admin for a new pairing token and run `enclave agent pair --force`');
    }
    if (!response.ok) throw await errorOf(response);
    const answer = (await response.json()) as { accessToken: string; expiresIn: number };
    this.#token = answer.accessToken;
    // The server counts expiry in whole seconds from the start of the current one: up to a second less than expiresIn.
    const lifetime = (answer.expiresIn - 1) * 1000;
    this.#renewAt = Date.now() + lifetime - Math.min(RENEW_MARGIN_MS, lifetime / 4);
    return answer.accessToken;
  }

  async #accessToken(): Promise<string> {
    if (this.#token && Date.now() < this.#renewAt) return this.#token;
    return this.#renew();
  }

  /**
   * A workspace API call. A 401 means the token stopped working early (a clock jump, a
   * server restart with new keys) or the agent was revoked: one renewal tells which.
   */
  async call(method: string, path: string, body?: unknown): Promise<Response> {
    const url = `/api/w/${encodeURIComponent(this.identity.workspaceId)}${path}`;
    const response = await this.http.send(method, url, body, () => this.#accessToken());
    if (response.status !== 401) return response;
    await response.body?.cancel();
    this.#token = undefined;
    const retried = await this.http.send(method, url, body, () => this.#accessToken());
    if (retried.status === 401) {
      await retried.body?.cancel();
      throw new AgentRevokedError('the server refused this agent\'s fresh access token: it was revoked; ask an admin for a new pairing token and run `enclave agent pair --force`');
    }
    return retried;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.call(method, path, body);
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }
}
