import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/core/tokens.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { auditEvents, member, mintToken, rawCall, type Person } from './fixture.ts';

/** Every row of every table in the control database, decrypted by the server's own handle. */
function controlDatabaseText(enclave: TestServer): string {
  const db = enclave.server.platform.controlDb;
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[];
  return tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
}

describe('personal MCP tokens', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;
  let viewer: Person;
  let admin: Person;
  const path = () => `/api/w/${workspace.id}/mcp/tokens`;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Tokens');
    viewer = await member(enclave, workspace, 'viewer');
    admin = await member(enclave, workspace, 'admin');
  });
  afterAll(async () => {
    await enclave.close();
  });

  it('[AIC-05] a token is 256 random bits shown once; the listing never shows it and the control database holds only its SHA-256', async () => {
    const created = await mintToken(enclave, workspace.id, viewer, ['datasets:read']);
    expect(created.token).toMatch(/^enm_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.token.slice(4), 'base64url')).toHaveLength(32);
    expect(created.mcpToken).toMatchObject({ name: 'Claude', scopes: ['datasets:read'], hint: created.token.slice(0, 8) + '…', revokedAt: null, expiresAt: null });

    const listed = await enclave.request('GET', path(), { cookie: viewer.cookie });
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(text).not.toContain(created.token);
    expect(text).not.toContain(created.token.slice(4));
    expect((JSON.parse(text) as { mcpTokens: { id: string }[] }).mcpTokens.map((token) => token.id)).toEqual([created.mcpToken.id]);
    // Another person of the workspace does not see it.
    const others = await enclave.request('GET', path(), { cookie: admin.cookie });
    expect(((await others.json()) as { mcpTokens: unknown[] }).mcpTokens).toEqual([]);

    const stored = controlDatabaseText(enclave);
    expect(stored).not.toContain(created.token.slice(4));
    expect(stored).toContain(hashToken(created.token));
    // The token works, and using it is noted.
    expect((await rawCall(enclave, created.token, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status).toBe(200);
    const after = (await (await enclave.request('GET', path(), { cookie: viewer.cookie })).json()) as { mcpTokens: { lastUsedAt: string | null }[] };
    expect(after.mcpTokens[0]!.lastUsedAt).not.toBeNull();
    // Nor did the server log it, though it was created, listed and presented.
    expect(enclave.logs.join('\n')).not.toContain(created.token.slice(4));
  });

  it('[AIC-05] bad names, scopes and expiries are refused with specific codes and create nothing', async () => {
    const before = controlDatabaseText(enclave);
    const cases: [unknown, number, string][] = [
      [{ name: 'x', scopes: [] }, 400, 'invalid_request'],
      [{ name: 'x', scopes: ['workflows:run'] }, 400, 'invalid_request'],
      [{ name: 'x', scopes: ['datasets:read', 'datasets:read'] }, 400, 'invalid_request'],
      [{ name: '', scopes: ['datasets:read'] }, 400, 'invalid_request'],
      [{ name: 'x', scopes: ['datasets:read'], workspaceId: 'ws_0' }, 400, 'invalid_request'],
      [{ name: 'x', scopes: ['datasets:read'], expiresAt: new Date(Date.now() - 60_000).toISOString() }, 400, 'invalid_expiry'],
      [{ name: 'x', scopes: ['datasets:read'], expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() }, 400, 'invalid_expiry'],
    ];
    for (const [body, status, code] of cases) {
      const response = await enclave.request('POST', path(), { cookie: viewer.cookie, body });
      expect(response.status, JSON.stringify(body)).toBe(status);
      const answer = (await response.json()) as { error: { code: string } };
      if (code !== 'invalid_request') expect(answer.error.code).toBe(code);
    }
    expect(controlDatabaseText(enclave)).toBe(before);
    const withExpiry = await enclave.request('POST', path(), {
      cookie: viewer.cookie,
      body: { name: 'week', scopes: ['datasets:read'], expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() },
    });
    expect(withExpiry.status).toBe(201);
  });

  it('[AIC-05] an API key cannot mint a person-bound token', async () => {
    const response = await enclave.request('POST', path(), { token: workspace.token, body: { name: 'key-made', scopes: ['datasets:read'] } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('user_session_required');
  });

  it('[AIC-05] people revoke their own tokens, managers anyone’s, others none; both are audited', async () => {
    const own = await mintToken(enclave, workspace.id, viewer);
    const other = await member(enclave, workspace, 'builder');
    const othersToken = await mintToken(enclave, workspace.id, other);

    const refused = await enclave.request('DELETE', `${path()}/${othersToken.mcpToken.id}`, { cookie: viewer.cookie });
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('mcp_token_not_found');
    expect((await rawCall(enclave, othersToken.token, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status).toBe(200);

    expect((await enclave.request('DELETE', `${path()}/${own.mcpToken.id}`, { cookie: viewer.cookie })).status).toBe(204);
    expect((await enclave.request('DELETE', `${path()}/${othersToken.mcpToken.id}`, { cookie: admin.cookie })).status).toBe(204);
    expect((await enclave.request('DELETE', `${path()}/${own.mcpToken.id}`, { cookie: viewer.cookie })).status).toBe(404);

    const listed = (await (await enclave.request('GET', path(), { cookie: viewer.cookie })).json()) as { mcpTokens: { id: string; revokedAt: string | null }[] };
    expect(listed.mcpTokens.find((token) => token.id === own.mcpToken.id)!.revokedAt).not.toBeNull();

    const created = await auditEvents(enclave, workspace, 'mcp_token.create');
    expect(created.some((event) => event.actor.id === viewer.id && event.details.userId === viewer.id)).toBe(true);
    const revoked = await auditEvents(enclave, workspace, 'mcp_token.revoke');
    expect(revoked.map((event) => [event.actor.id, event.details.userId])).toEqual(
      expect.arrayContaining([
        [viewer.id, viewer.id],
        [admin.id, other.id],
      ]),
    );
    for (const event of [...created, ...revoked]) expect(JSON.stringify(event)).not.toMatch(/enm_[A-Za-z0-9_-]{43}/);
  });
});
