import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { workspaceEvents } from '../identity/audit.ts';

const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

/** Every schema object in the workspace database, to show a refused request created, changed or dropped nothing. */
function schemaOf(enclave: TestServer, workspaceId: string): unknown[] {
  return enclave.server.platform.databases.open(workspaceId).db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
}

const INJECTIONS = [
  'x"; DROP TABLE audit_events; --',
  "x'); DELETE FROM dataset; --",
  'Invoices',
  '1abc',
  'a b',
  'ds_x"',
  'x;y',
  'id--',
  '',
  'a'.repeat(64),
  'über',
  'x\u0000y',
  '__proto__',
];

describe('datasets: named tables with a declared schema', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Datasets');
  });
  afterAll(() => enclave.close());

  const call = (method: string, path: string, body?: unknown, token = workspace.token) => enclave.request(method, `/api/w/${workspace.id}${path}`, { token, body });

  it('[AGT-03] create, list, get with row count, add columns and delete a dataset, each audited', async () => {
    const created = await call('POST', '/datasets', {
      name: 'customers',
      columns: [
        { name: 'region', type: 'text' },
        { name: 'number', type: 'integer' },
        { name: 'name', type: 'text', nullable: false },
        { name: 'vip', type: 'boolean' },
      ],
      primaryKey: ['region', 'number'],
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'customers', primaryKey: ['region', 'number'], rowCount: 0 });
    expect((await call('POST', '/datasets', { name: 'customers', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] })).status).toBe(409);

    const batch = await call('POST', '/datasets/customers/batches', {
      batchId: 'seed',
      upserts: [
        { region: 'north', number: 1, name: 'Ann', vip: true },
        { region: 'south', number: 1, name: 'Bo', vip: false },
      ],
    });
    expect(batch.status).toBe(200);
    const widened = await call('POST', '/datasets/customers/columns', { columns: [{ name: 'since', type: 'timestamp' }] });
    expect(widened.status).toBe(200);
    expect(((await widened.json()) as { columns: { name: string }[] }).columns.map((column) => column.name)).toEqual(['region', 'number', 'name', 'vip', 'since']);
    expect((await call('POST', '/datasets/customers/columns', { columns: [{ name: 'name', type: 'text' }] })).status).toBe(409);
    expect((await call('POST', '/datasets/customers/columns', { columns: [{ name: 'strict', type: 'text', nullable: false }] })).status).toBe(400);

    const fetched = (await (await call('GET', '/datasets/customers')).json()) as { rowCount: number };
    expect(fetched.rowCount).toBe(2);
    const listed = (await (await call('GET', '/datasets')).json()) as { datasets: { name: string }[] };
    expect(listed.datasets.map((dataset) => dataset.name)).toEqual(['customers']);
    const page = (await (await call('GET', '/datasets/customers/rows')).json()) as { rows: unknown[] };
    expect(page.rows).toEqual([
      { region: 'north', number: 1, name: 'Ann', vip: true, since: null },
      { region: 'south', number: 1, name: 'Bo', vip: false, since: null },
    ]);

    expect((await call('DELETE', '/datasets/customers')).status).toBe(204);
    expect((await call('GET', '/datasets/customers')).status).toBe(404);
    expect((await call('DELETE', '/datasets/customers')).status).toBe(404);
    expect(schemaOf(enclave, workspace.id).some((object) => (object as { name: string }).name === 'ds_customers')).toBe(false);

    const actions = workspaceEvents(enclave, workspace.id).filter((event) => event.target_id === 'customers').map((event) => event.action);
    expect(actions).toEqual(['dataset.create', 'dataset.data_moved', 'dataset.columns_add', 'dataset.delete']);
  });

  it('[AGT-03] injection payloads in dataset and column names are refused before any SQL', async () => {
    await call('POST', '/datasets', { name: 'target', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    const before = schemaOf(enclave, workspace.id);
    for (const name of INJECTIONS) {
      const asDataset = await call('POST', '/datasets', { name, columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
      expect(asDataset.status, JSON.stringify(name)).toBe(400);
      expect((await errorOf(asDataset)).code).toBe('invalid_request');
      const asColumn = await call('POST', '/datasets', { name: 'victim', columns: [{ name, type: 'text' }, { name: 'id', type: 'integer' }], primaryKey: ['id'] });
      expect(asColumn.status, JSON.stringify(name)).toBe(400);
      const asKey = await call('POST', '/datasets', { name: 'victim', columns: [{ name: 'id', type: 'integer' }], primaryKey: [name] });
      expect(asKey.status, JSON.stringify(name)).toBe(400);
      const added = await call('POST', '/datasets/target/columns', { columns: [{ name, type: 'text' }] });
      expect(added.status, JSON.stringify(name)).toBe(400);
      if (name !== '') {
        for (const [method, path] of [['GET', ''], ['GET', '/rows'], ['DELETE', ''], ['POST', '/batches']] as const) {
          const answer = await call(method, `/datasets/${encodeURIComponent(name)}${path}`, method === 'POST' ? { batchId: 'b', upserts: [] } : undefined);
          expect(answer.status, `${method} ${JSON.stringify(name)}${path}`).toBe(400);
        }
      }
      // A row naming such a column is rejected as unknown, and never reaches SQL as a name.
      const row = await call('POST', '/datasets/target/batches', { batchId: `inject-${INJECTIONS.indexOf(name)}`, upserts: [{ id: 1, [name]: 'x' }] });
      if (name === '__proto__') {
        // The JSON parser refuses prototype poisoning outright.
        expect(row.status).toBe(400);
      } else {
        expect(((await row.json()) as { rejected: { code: string }[] }).rejected.map((rejection) => rejection.code)).toEqual(['unknown_column']);
      }
    }
    // Callers that are not routes (CLI, MCP tools) meet the same allow-list in the service.
    const service = enclave.server.platform.datasets;
    const operator = { actor: { type: 'operator' as const, id: 'test' } };
    await expect(service.create(workspace.id, { name: INJECTIONS[0]!, columns: [{ name: 'id', type: 'integer', nullable: true }], primaryKey: ['id'] }, operator)).rejects.toMatchObject({ code: 'invalid_name' });
    await expect(service.create(workspace.id, { name: 'victim', columns: [{ name: INJECTIONS[1]!, type: 'integer', nullable: true }], primaryKey: [INJECTIONS[1]!] }, operator)).rejects.toMatchObject({ code: 'invalid_name' });
    await expect(service.addColumns(workspace.id, 'target', { columns: [{ name: INJECTIONS[0]!, type: 'text', nullable: true }] }, operator)).rejects.toMatchObject({ code: 'invalid_name' });
    expect(schemaOf(enclave, workspace.id)).toEqual(before);
    const body = JSON.stringify(await (await call('POST', '/datasets', { name: INJECTIONS[0], columns: [], primaryKey: [] })).json());
    expect(body).not.toMatch(/sqlite|SQL|CREATE|syntax/i);
  });

  it("[AGT-03] a dataset named like one of Enclave's own tables gets its own prefixed table and leaves the real one alone", async () => {
    for (const name of ['audit_events', 'dataset', 'sqlite_master']) {
      const answer = await call('POST', '/datasets', { name, columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
      expect(answer.status, name).toBe(201);
      expect((await call('POST', `/datasets/${name}/batches`, { batchId: `own-${name}`, upserts: [{ id: 1 }] })).status).toBe(200);
      expect((await call('DELETE', `/datasets/${name}`)).status).toBe(204);
    }
    const verification = (await (await call('GET', '/audit-events/verification')).json()) as { ok: boolean };
    expect(verification.ok).toBe(true);
  });

  it('[AGT-03] schemas that cannot work are refused with a specific code', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'a', columns: [{ name: 'id', type: 'integer' }, { name: 'id', type: 'text' }], primaryKey: ['id'] }, 'duplicate_column'],
      [{ name: 'a', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['other'] }, 'invalid_primary_key'],
      [{ name: 'a', columns: [{ name: 'score', type: 'real' }], primaryKey: ['score'] }, 'invalid_primary_key'],
      [{ name: 'a', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id', 'id'] }, 'invalid_primary_key'],
      [{ name: 'a', columns: [{ name: 'id', type: 'blob' }], primaryKey: ['id'] }, 'invalid_request'],
    ];
    for (const [body, code] of cases) {
      const answer = await call('POST', '/datasets', body);
      expect(answer.status, code).toBe(400);
      expect((await errorOf(answer)).code).toBe(code);
    }
    expect((await call('GET', '/datasets/a')).status).toBe(404);
  });

  it('[AGT-03] timestamps are stored as UTC instants, and impossible dates are refused rather than rolled over', async () => {
    await call('POST', '/datasets', { name: 'moments', columns: [{ name: 'id', type: 'integer' }, { name: 'at', type: 'timestamp' }], primaryKey: ['id'] });
    const inputs = ['2026-01-31T10:00:00+01:00', '2026-01-31T10:00Z', '2024-02-29T23:59:59.999Z', '2026-02-29T00:00:00.000Z', '2026-02-30T10:00:00+01:00', '2026-01-31T24:00:00Z', '2026-01-31', '2026-01-31T10:00:00'];
    const answer = await call('POST', '/datasets/moments/batches', { batchId: 'moments', upserts: inputs.map((at, id) => ({ id, at })) });
    const result = (await answer.json()) as { rejected: { index: number; column: string }[] };
    expect(result.rejected.map((rejection) => [rejection.index, rejection.column])).toEqual([[3, 'at'], [4, 'at'], [5, 'at'], [6, 'at'], [7, 'at']]);
    const page = (await (await call('GET', '/datasets/moments/rows')).json()) as { rows: unknown[] };
    expect(page.rows).toEqual([
      { id: 0, at: '2026-01-31T09:00:00.000Z' },
      { id: 1, at: '2026-01-31T10:00:00.000Z' },
      { id: 2, at: '2024-02-29T23:59:59.999Z' },
    ]);
  });

  it('[AGT-03] rows page by cursor in key order, and a forged cursor is refused', async () => {
    await call('POST', '/datasets', { name: 'events', columns: [{ name: 'id', type: 'integer' }, { name: 'label', type: 'text' }], primaryKey: ['id'] });
    const ids = Array.from({ length: 250 }, (_, index) => (index * 7919) % 1000);
    expect((await call('POST', '/datasets/events/batches', { batchId: 'many', upserts: ids.map((id) => ({ id, label: `event ${id}` })) })).status).toBe(200);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=100' : `?limit=100&cursor=${encodeURIComponent(cursor)}`;
      const page = (await (await call('GET', `/datasets/events/rows${query}`)).json()) as { rows: { id: number }[]; nextCursor: string | null };
      seen.push(...page.rows.map((row) => row.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual([...ids].sort((a, b) => a - b));
    expect(pages).toBe(3);
    for (const forged of ['not base64 !', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["1 OR 1=1"]').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
      const answer = await call('GET', `/datasets/events/rows?cursor=${encodeURIComponent(forged)}`);
      expect(answer.status, forged).toBe(400);
      expect((await errorOf(answer)).code).toBe('invalid_cursor');
    }
  });
});

describe('datasets of one workspace are out of reach of another', () => {
  let enclave: TestServer;

  beforeAll(async () => {
    enclave = await startTestServer();
  });
  afterAll(() => enclave.close());

  it('[ACC-03] the same dataset name in two workspaces names two separate tables in two files', async () => {
    const alpha = await enclave.createWorkspace('Alpha');
    const beta = await enclave.createWorkspace('Beta');
    const shape = { name: 'ledger', columns: [{ name: 'id', type: 'integer' }, { name: 'memo', type: 'text' }], primaryKey: ['id'] };
    for (const workspace of [alpha, beta]) {
      await enclave.request('POST', `/api/w/${workspace.id}/datasets`, { token: workspace.token, body: shape });
      await enclave.request('POST', `/api/w/${workspace.id}/datasets/ledger/batches`, { token: workspace.token, body: { batchId: 'same-id', upserts: [{ id: 1, memo: `memo of ${workspace.id}` }] } });
    }
    for (const [workspace, other] of [[alpha, beta], [beta, alpha]] as const) {
      const page = await (await enclave.request('GET', `/api/w/${workspace.id}/datasets/ledger/rows`, { token: workspace.token })).text();
      expect(page).toContain(`memo of ${workspace.id}`);
      expect(page).not.toContain(other.id);
      const crossed = await enclave.request('GET', `/api/w/${other.id}/datasets/ledger/rows`, { token: workspace.token });
      expect(crossed.status).toBe(404);
    }
  });
});
