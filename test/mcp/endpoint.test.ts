import { request as httpRequest } from 'node:http';
import { ProvisionedAccounts } from '../../src/identity/provisioned-accounts.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { auditEvents, CITIES, connect, createDataset, CUSTOMERS, customerRows, member, mintToken, rawCall, SALARY, TAX_ID, toolCall, type Person } from './fixture.ts';

const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

/** A POST to /mcp with a Host header of our choosing, which fetch does not let a caller set. */
function postWithHost(enclave: TestServer, token: string, host: string): Promise<number> {
  const url = new URL('/mcp', enclave.url);
  const body = JSON.stringify(LIST);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: { host, authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode!));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function expectChallenge(response: Response, enclave: TestServer): void {
  expect(response.status).toBe(401);
  const challenge = response.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer /);
  expect(challenge).toContain(`resource_metadata="${enclave.url}/.well-known/oauth-protected-resource/mcp"`);
  expect(challenge).toContain('scope="datasets:read"');
}

describe('the MCP endpoint', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;
  let other: TestWorkspace;
  let person: Person;
  let token: string;
  let tokenId: string;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('MCP A');
    other = await enclave.createWorkspace('MCP B');
    await createDataset(enclave, workspace, CUSTOMERS, customerRows());
    await createDataset(enclave, other, { name: 'secrets_b', columns: [{ name: 'id', type: 'integer' }, { name: 'secret', type: 'text' }], primaryKey: ['id'] }, [{ id: 1, secret: 'B-ONLY-CANARY' }]);
    person = await member(enclave, workspace, 'viewer');
    await enclave.addMember(other.id, person, 'owner');
    const minted = await mintToken(enclave, workspace.id, person);
    token = minted.token;
    tokenId = minted.mcpToken.id;
  });
  afterAll(async () => {
    await enclave.close();
  });

  for (const generation of ['v1', 'v2'] as const) {
    it(`[AIC-01] an SDK ${generation} client with a personal token lists the tools and calls each one; sensitive values stay masked`, async () => {
      const session = await connect(enclave, token, generation);
      try {
        expect(await session.listTools()).toEqual(['describe_dataset', 'list_datasets', 'query_dataset', 'sql_query']);

        const listed = await session.call('list_datasets', {});
        expect(listed.isError).toBe(false);
        expect((listed.body.datasets as { name: string; rowCount: number }[]).map((dataset) => [dataset.name, dataset.rowCount])).toEqual([['customers', 30]]);

        const described = await session.call('describe_dataset', { dataset: 'customers' });
        expect(described.body).toMatchObject({ name: 'customers', primaryKey: ['id'], rowCount: 30 });
        expect((described.body.columns as { name: string; sensitive: boolean }[]).filter((column) => column.sensitive).map((column) => column.name)).toEqual(['tax_id', 'salary']);

        const queried = await session.call('query_dataset', { dataset: 'customers', filters: [{ column: 'city', op: 'eq', value: 'Oslo' }], sort: [{ column: 'id', direction: 'desc' }], limit: 3 });
        const rows = queried.body.rows as Record<string, unknown>[];
        expect(rows.map((row) => row.id)).toEqual([29, 26, 23]);
        for (const row of rows) {
          expect(row.city).toBe('Oslo');
          expect(row.tax_id).toBe('[REDACTED:sensitive]');
          expect(row.salary).toBe('[REDACTED:sensitive]');
        }

        const sql = await session.call('sql_query', { sql: 'SELECT id, name, tax_id FROM ds_customers WHERE id <= 2 ORDER BY id' });
        expect(sql.isError).toBe(false);
        expect(sql.body.rows).toEqual([
          { id: 1, name: 'Customer 1', tax_id: '[REDACTED:sensitive]' },
          { id: 2, name: 'Customer 2', tax_id: '[REDACTED:sensitive]' },
        ]);
        for (const answer of [listed, described, queried, sql]) {
          expect(JSON.stringify(answer)).not.toContain(TAX_ID);
          expect(JSON.stringify(answer)).not.toContain(String(SALARY));
        }
      } finally {
        await session.close();
      }
    });
  }

  it('[AIC-06] query_dataset pages with offset and aggregates with groupBy; sensitive columns cannot be used to learn their values', async () => {
    const session = await connect(enclave, token, 'v2');
    try {
      const seen: number[] = [];
      let offset: number | null = 0;
      while (offset !== null) {
        const page = await session.call('query_dataset', { dataset: 'customers', columns: ['id'], sort: [{ column: 'id', direction: 'asc' }], limit: 7, offset });
        seen.push(...(page.body.rows as { id: number }[]).map((row) => row.id));
        offset = page.body.nextOffset as number | null;
      }
      expect(seen).toEqual(customerRows().map((row) => row.id));

      const grouped = await session.call('query_dataset', {
        dataset: 'customers',
        aggregate: { groupBy: ['city'], metrics: [{ fn: 'count' }, { fn: 'sum', column: 'spend' }, { fn: 'count', column: 'tax_id' }] },
        sort: [{ column: 'city', direction: 'asc' }],
      });
      const expected = CITIES.map((city) => {
        const inCity = customerRows().filter((row) => row.city === city);
        return { city, count: inCity.length, sum_spend: inCity.reduce((total, row) => total + row.spend, 0), count_tax_id: inCity.length };
      });
      expect(grouped.body.rows).toEqual(expected);

      const leaks = [
        { filters: [{ column: 'tax_id', op: 'eq', value: `${TAX_ID}-1` }] },
        { filters: [{ column: 'salary', op: 'gt', value: 0 }] },
        { sort: [{ column: 'salary', direction: 'desc' }] },
        { aggregate: { groupBy: ['tax_id'], metrics: [{ fn: 'count' }] } },
        { aggregate: { metrics: [{ fn: 'max', column: 'salary' }] } },
        { aggregate: { metrics: [{ fn: 'avg', column: 'salary' }] } },
      ];
      for (const leak of leaks) {
        const refused = await session.call('query_dataset', { dataset: 'customers', ...leak });
        expect(refused.isError, JSON.stringify(leak)).toBe(true);
        expect((refused.body.error as { code: string }).code).toBe('sensitive_column');
      }
      const nullCheck = await session.call('query_dataset', { dataset: 'customers', columns: ['id'], filters: [{ column: 'tax_id', op: 'not_null' }], limit: 1000 });
      expect((nullCheck.body.rows as unknown[]).length).toBe(30);
    } finally {
      await session.close();
    }
  });

  it('[AIC-06] bad tool input is a tool error with a stable code, never a 5xx', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['query_dataset', { dataset: 'customers', limit: 5000 }, 'invalid_input'],
      ['query_dataset', { dataset: 'Robert"); DROP TABLE x;--' }, 'invalid_input'],
      ['query_dataset', { dataset: 'customers', columns: ['nope'] }, 'unknown_column'],
      ['query_dataset', { dataset: 'customers', filters: [{ column: 'spend', op: 'gt', value: 'lots' }] }, 'invalid_value'],
      ['describe_dataset', { dataset: 'missing' }, 'dataset_not_found'],
      ['describe_dataset', { dataset: 'customers', workspaceId: other.id }, 'invalid_input'],
      ['sql_query', { sql: 'DELETE FROM ds_customers' }, ''],
      ['sql_query', { sql: 'SELEC nonsense' }, ''],
    ];
    for (const [tool, args, code] of cases) {
      const response = await rawCall(enclave, token, toolCall(tool, args));
      expect(response.status, `${tool} ${JSON.stringify(args)}`).toBe(200);
      const answer = (await response.json()) as { result: { isError: boolean; content: { text: string }[] } };
      expect(answer.result.isError).toBe(true);
      const error = (JSON.parse(answer.result.content[0]!.text) as { error: { code: string; message: string } }).error;
      expect(error.code).toMatch(/^[a-z_]+$/);
      if (code !== '') expect(error.code).toBe(code);
      expect(error.message).not.toMatch(/\/work|\/tmp|at .*\.ts|SQLITE_/);
    }
    const rows = await connect(enclave, token, 'v1');
    const count = await rows.call('query_dataset', { dataset: 'customers', aggregate: { metrics: [{ fn: 'count' }] } });
    expect(count.body.rows).toEqual([{ count: 30 }]);
    await rows.close();
  });

  it('[AIC-01] calls without a token or with an invalid one get 401 pointing at the resource metadata', async () => {
    expectChallenge(await rawCall(enclave, undefined, LIST), enclave);
    expectChallenge(await rawCall(enclave, 'enm_' + 'A'.repeat(43), LIST), enclave);
    expectChallenge(await rawCall(enclave, 'not-a-token', LIST), enclave);
    expectChallenge(await rawCall(enclave, undefined, toolCall('list_datasets', {})), enclave);
    // Only POST exists: no session stream to open or end.
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(new URL('/mcp', enclave.url), { method, headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expectChallenge(await fetch(new URL('/mcp', enclave.url), { method }), enclave);
    }
  });

  it('[AIC-06] an API key is refused on /mcp and a personal MCP token on the workspace API', async () => {
    expectChallenge(await rawCall(enclave, workspace.token, LIST), enclave);
    for (const path of [`/api/w/${workspace.id}/datasets`, `/api/w/${workspace.id}/mcp/tokens`]) {
      expect((await enclave.request('GET', path, { token })).status).toBe(401);
    }
  });

  it('[AIC-06] a token sees only its own workspace: another workspace’s dataset is not found, even by name', async () => {
    const session = await connect(enclave, token, 'v2');
    try {
      const listed = await session.call('list_datasets', {});
      expect((listed.body.datasets as { name: string }[]).map((dataset) => dataset.name)).toEqual(['customers']);
      const described = await session.call('describe_dataset', { dataset: 'secrets_b' });
      expect((described.body.error as { code: string }).code).toBe('dataset_not_found');
      const queried = await session.call('query_dataset', { dataset: 'secrets_b' });
      expect((queried.body.error as { code: string }).code).toBe('dataset_not_found');
      const sql = await session.call('sql_query', { sql: 'SELECT * FROM ds_secrets_b' });
      expect(sql.isError).toBe(true);
      expect(JSON.stringify([listed, described, queried, sql])).not.toContain('B-ONLY-CANARY');
    } finally {
      await session.close();
    }
  });

  it('[AIC-07] a token without datasets:sql does not see sql_query and gets 403 insufficient_scope calling it', async () => {
    const readOnly = await mintToken(enclave, workspace.id, person, ['datasets:read']);
    const session = await connect(enclave, readOnly.token, 'v1');
    expect(await session.listTools()).toEqual(['describe_dataset', 'list_datasets', 'query_dataset']);
    await session.close();
    const refused = await rawCall(enclave, readOnly.token, toolCall('sql_query', { sql: 'SELECT 1' }));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", scope="datasets:sql"/);
    const denied = (await auditEvents(enclave, workspace, 'mcp.tool_call')).filter((event) => event.actor.id === readOnly.mcpToken.id);
    expect(denied.map((event) => [event.outcome, event.details.tool, event.details.outcome])).toEqual([['denied', 'sql_query', 'insufficient_scope']]);
  });

  it('[LOG-01] every tool call is a workspace audit event naming the token, the person, the tool, the dataset and the rows returned', async () => {
    const minted = await mintToken(enclave, workspace.id, person, ['datasets:read']);
    await rawCall(enclave, minted.token, toolCall('query_dataset', { dataset: 'customers', columns: ['id'], limit: 4 }));
    await rawCall(enclave, minted.token, toolCall('describe_dataset', { dataset: 'missing' }));
    const events = (await auditEvents(enclave, workspace, 'mcp.tool_call')).filter((event) => event.actor.id === minted.mcpToken.id);
    expect(events.map((event) => ({ actor: event.actor.type, outcome: event.outcome, details: event.details }))).toEqual([
      { actor: 'mcp_client', outcome: 'success', details: { tool: 'query_dataset', dataset: 'customers', rowsReturned: 4, clientId: null, userId: person.id, outcome: 'success' } },
      { actor: 'mcp_client', outcome: 'failure', details: { tool: 'describe_dataset', dataset: 'missing', rowsReturned: 0, clientId: null, userId: person.id, outcome: 'dataset_not_found' } },
    ]);
  });

  it('[AIC-01] DNS rebinding: a foreign Host or Origin is refused', async () => {
    const url = new URL(enclave.url);
    expect(await postWithHost(enclave, token, url.host)).toBe(200);
    expect(await postWithHost(enclave, token, `rebound.example:${url.port}`)).toBe(403);
    expect((await rawCall(enclave, token, LIST, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await rawCall(enclave, token, LIST, { origin: enclave.url })).status).toBe(200);
  });

  it('[AIC-06] revoking a token, removing the member or lowering their role takes effect on the next call', async () => {
    const revoked = await mintToken(enclave, workspace.id, person, ['datasets:read']);
    expect((await rawCall(enclave, revoked.token, LIST)).status).toBe(200);
    expect((await enclave.request('DELETE', `/api/w/${workspace.id}/mcp/tokens/${revoked.mcpToken.id}`, { cookie: person.cookie })).status).toBe(204);
    expectChallenge(await rawCall(enclave, revoked.token, LIST), enclave);

    const leaver = await member(enclave, workspace, 'builder');
    const leaversToken = (await mintToken(enclave, workspace.id, leaver, ['datasets:read'])).token;
    expect((await rawCall(enclave, leaversToken, toolCall('list_datasets', {}))).status).toBe(200);
    const lowered = await enclave.request('PATCH', `/api/w/${workspace.id}/members/${leaver.id}`, { token: workspace.token, body: { role: 'workflow-only' } });
    expect(lowered.status).toBe(200);
    const forbidden = await rawCall(enclave, leaversToken, toolCall('list_datasets', {}));
    expect(forbidden.status).toBe(403);
    const narrowed = await connect(enclave, leaversToken, 'v2');
    expect(await narrowed.listTools()).toEqual([]);
    await narrowed.close();
    expect((await enclave.request('DELETE', `/api/w/${workspace.id}/members/${leaver.id}`, { token: workspace.token })).status).toBe(204);
    expectChallenge(await rawCall(enclave, leaversToken, toolCall('list_datasets', {})), enclave);

    // The person's own token still works: nothing here touched it.
    expect((await rawCall(enclave, token, LIST)).status).toBe(200);
    expect(tokenId).toMatch(/^mcpt_/);
  });

  it('[ACC-06] disabling an account (as a SCIM deactivation does) ends its personal tokens at once', async () => {
    const leaving = await member(enclave, workspace, 'viewer');
    const minted = await mintToken(enclave, workspace.id, leaving, ['datasets:read']);
    expect((await rawCall(enclave, minted.token, toolCall('list_datasets', {}))).status).toBe(200);
    const { controlDb, controlAudit } = enclave.server.platform;
    const revoked = await new ProvisionedAccounts({ controlDb, controlAudit }).disable(leaving.id, 'test', { actor: { type: 'operator', id: 'test' } }, {});
    expect(revoked.mcpTokens).toBe(1);
    expectChallenge(await rawCall(enclave, minted.token, toolCall('list_datasets', {})), enclave);
    expect(enclave.server.platform.mcpTokens.list(workspace.id, leaving.id)[0]!.revokedAt).not.toBeNull();
  });
});
