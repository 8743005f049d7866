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

export interface TestServer {
  url: string;
  dataDir: string;
  /** Every log line the server wrote, as written (after redaction). */
  logs: string[];
  server: RunningServer;
  createWorkspace(name?: string, role?: Role): Promise<TestWorkspace>;
  addKey(workspaceId: string, role: Role): Promise<string>;
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

const setupMeta = { actor: { type: 'operator' as const, id: 'test-setup' } };

/** A real Enclave on 127.0.0.1 with a fresh data directory; setup goes through the services, checks through HTTP. */
export async function startTestServer(flags: Partial<ConfigInput> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'enclave-test-'));
  const logs: string[] = [];
  const config = loadConfig({ env: {}, flags: { dataDir, host: '127.0.0.1', port: 0, logLevel: 'info', ...flags } });
  const server = await startServer(config, { logDestination: { write: (line: string) => void logs.push(line) } });
  const addKey = async (workspaceId: string, role: Role) =>
    (await server.platform.apiKeys.create(workspaceId, { name: `${role} key`, role }, setupMeta)).token;
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
    request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      return fetch(`${server.origin}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
