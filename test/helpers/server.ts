import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../src/access/permissions.ts';
import { loadConfig, type ConfigInput } from '../../src/core/config.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';

export interface TestWorkspace {
  id: string;
  /** An API key with the role asked for (owner by default). */
  token: string;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

export interface RequestOptions {
  token?: string;
  /** A session cookie (`name=value`); state-changing requests then carry our Origin, as a browser's would. */
  cookie?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestServer {
  url: string;
  dataDir: string;
  /** Every log line the server wrote, as written (after redaction). */
  logs: string[];
  server: RunningServer;
  createWorkspace(name?: string, role?: Role): Promise<TestWorkspace>;
  addKey(workspaceId: string, role: Role): Promise<string>;
  /** A verified account, created as an operator would. */
  createUser(name?: string): Promise<TestUser>;
  /** Signs in through the API and returns the session cookie as `name=value`. */
  signIn(user: Pick<TestUser, 'email' | 'password'>, headers?: Record<string, string>): Promise<string>;
  addMember(workspaceId: string, user: TestUser, role: Role): Promise<void>;
  request(method: string, path: string, options?: RequestOptions): Promise<Response>;
  close(): Promise<void>;
}

const setupMeta = { actor: { type: 'operator' as const, id: 'test-setup' } };

/** The `name=value` part of a Set-Cookie line. */
export function cookiePair(setCookie: string): string {
  return setCookie.split(';')[0]!;
}

/** A real Enclave on 127.0.0.1 with a fresh data directory; setup goes through the services, checks through HTTP. */
export async function startTestServer(flags: Partial<ConfigInput> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'enclave-test-'));
  const logs: string[] = [];
  const config = loadConfig({ env: {}, flags: { dataDir, host: '127.0.0.1', port: 0, logLevel: 'info', ...flags } });
  const server = await startServer(config, { logDestination: { write: (line: string) => void logs.push(line) } });
  const addKey = async (workspaceId: string, role: Role) =>
    (await server.platform.apiKeys.create(workspaceId, { name: `${role} key`, role }, setupMeta)).token;
  const request: TestServer['request'] = (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.cookie) {
      headers.cookie = options.cookie;
      if (method !== 'GET' && method !== 'HEAD') headers.origin ??= server.origin;
    }
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    return fetch(`${server.origin}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  };
  return {
    url: server.origin,
    dataDir,
    logs,
    server,
    addKey,
    async createWorkspace(name = 'Acme', role: Role = 'owner') {
      const workspace = await server.platform.workspaces.create(name, setupMeta);
      return { id: workspace.id, token: await addKey(workspace.id, role) };
    },
    async createUser(name = 'Test Person') {
      const email = `${randomUUID()}@people.example`;
      const password = `pw-${randomUUID()}`;
      const user = await server.platform.identity.createVerifiedUser({ email, name, password }, setupMeta);
      return { id: user.id, email, password };
    },
    async signIn(user, headers = {}) {
      const response = await request('POST', '/api/auth/sign-in/email', {
        body: { email: user.email, password: user.password },
        headers: { origin: server.origin, ...headers },
      });
      if (response.status !== 200) throw new Error(`sign-in failed with ${response.status}: ${await response.text()}`);
      return cookiePair(response.headers.getSetCookie()[0]!);
    },
    async addMember(workspaceId, user, role) {
      await server.platform.members.add(workspaceId, user.email, role, setupMeta);
    },
    request,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
