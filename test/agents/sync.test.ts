import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { workspaceEvents } from '../identity/audit.ts';
import { pairAgent, type TestAgent } from './agent.ts';

interface BatchResult {
  batchId: string;
  dataset: string;
  upserted: number;
  deleted: number;
  rejected: { operation: string; index: number; code: string; message: string; column?: string }[];
}

const invoices = {
  name: 'invoices',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'customer', type: 'text', nullable: false },
    { name: 'amount', type: 'real' },
    { name: 'paid', type: 'boolean' },
    { name: 'issued_at', type: 'timestamp' },
  ],
  primaryKey: ['id'],
};

describe('the sync API: batches of upserts and deletes', () => {
  let enclave: TestServer;
  let alpha: TestWorkspace;
  let beta: TestWorkspace;
  let agent: TestAgent;
  let token: string;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1_000 } });
    alpha = await enclave.createWorkspace('Alpha');
    beta = await enclave.createWorkspace('Beta');
    agent = await pairAgent(enclave, alpha);
    token = await agent.accessToken();
    // The agent defines its own dataset, as the reference agent does for a new export file.
    const created = await enclave.request('POST', `/api/w/${alpha.id}/datasets`, { token, body: invoices });
    expect(created.status).toBe(201);
  });
  afterAll(() => enclave.close());

  const send = (body: unknown, as = token, workspaceId = alpha.id, dataset = 'invoices') =>
    enclave.request('POST', `/api/w/${workspaceId}/datasets/${dataset}/batches`, { token: as, body });
  const rows = async (workspaceId = alpha.id, as = alpha.token, dataset = 'invoices') =>
    ((await (await enclave.request('GET', `/api/w/${workspaceId}/datasets/${dataset}/rows?limit=1000`, { token: as })).json()) as { rows: Record<string, unknown>[] }).rows;

  it('[AGT-03] replaying a batch leaves the same rows and answers like the first time', async () => {
    const batch = {
      batchId: 'export-2026-01-31.csv#1',
      upserts: [
        { id: 1, customer: 'Acme', amount: 120.5, paid: false, issued_at: '2026-01-31T10:00:00+01:00' },
        { id: 2, customer: 'Globex', amount: 80, paid: true, issued_at: '2026-01-31T09:30:00Z' },
      ],
    };
    const first = await send(batch);
    expect(first.status).toBe(200);
    const firstBody = (await first.json()) as BatchResult;
    expect(firstBody).toEqual({ batchId: batch.batchId, dataset: 'invoices', upserted: 2, deleted: 0, rejected: [] });
    const after = await rows();

    for (let attempt = 0; attempt < 3; attempt++) {
      const replay = await send(batch);
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.json()).toEqual(firstBody);
    }
    expect(await rows()).toEqual(after);
    expect(after).toEqual([
      { id: 1, customer: 'Acme', amount: 120.5, paid: false, issued_at: '2026-01-31T09:00:00.000Z' },
      { id: 2, customer: 'Globex', amount: 80, paid: true, issued_at: '2026-01-31T09:30:00.000Z' },
    ]);
    // One audit event for the batch, however often it was sent: "data moved", by the agent.
    const moved = workspaceEvents(enclave, alpha.id).filter((event) => event.action === 'dataset.data_moved' && JSON.parse(event.details).batchId === batch.batchId);
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ actor_type: 'agent', actor_id: agent.id, target_type: 'dataset', target_id: 'invoices' });
    expect(JSON.parse(moved[0]!.details)).toMatchObject({ rowsIn: 2, rowsRejected: 0 });
  });

  it('[AGT-03] the same batch id with a different body is a conflict and changes nothing', async () => {
    const before = await rows();
    const answer = await send({ batchId: 'export-2026-01-31.csv#1', upserts: [{ id: 1, customer: 'Changed', amount: 1, paid: true, issued_at: null }] });
    expect(answer.status).toBe(409);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('batch_id_conflict');
    expect(await rows()).toEqual(before);
  });

  it('[AGT-03] a malformed row is rejected with its index and reason while the valid rows are applied', async () => {
    const answer = await send({
      batchId: 'mixed-1',
      upserts: [
        { id: 10, customer: 'Valid one', amount: 1.5, paid: true, issued_at: null },
        { id: 11, customer: 'Bad amount', amount: 'twelve', paid: false },
        { id: 12, customer: 'Valid two' },
        'not a row',
        { customer: 'No key' },
        { id: 14, customer: 'Extra', nickname: 'x' },
        { id: 15, customer: null },
        { id: 16, customer: 'Bad time', issued_at: '31/01/2026' },
        { id: 1.5, customer: 'Fractional key' },
      ],
      deletes: [{ id: 2 }, { id: 'two' }, { customer: 'Acme' }],
    });
    expect(answer.status).toBe(200);
    const result = (await answer.json()) as BatchResult;
    expect(result.upserted).toBe(2);
    expect(result.deleted).toBe(1);
    expect(result.rejected.map(({ operation, index, code, column }) => ({ operation, index, code, column }))).toEqual([
      { operation: 'upsert', index: 1, code: 'invalid_value', column: 'amount' },
      { operation: 'upsert', index: 3, code: 'not_an_object', column: undefined },
      { operation: 'upsert', index: 4, code: 'missing_key', column: 'id' },
      { operation: 'upsert', index: 5, code: 'unknown_column', column: 'nickname' },
      { operation: 'upsert', index: 6, code: 'null_not_allowed', column: 'customer' },
      { operation: 'upsert', index: 7, code: 'invalid_value', column: 'issued_at' },
      { operation: 'upsert', index: 8, code: 'invalid_value', column: 'id' },
      { operation: 'delete', index: 1, code: 'invalid_value', column: 'id' },
      { operation: 'delete', index: 2, code: 'not_a_key_column', column: 'customer' },
    ]);
    for (const rejection of result.rejected) expect(rejection.message.length).toBeGreaterThan(0);
    const ids = (await rows()).map((row) => row.id);
    expect(ids).toEqual([1, 10, 12]);
    const moved = workspaceEvents(enclave, alpha.id).find((event) => event.action === 'dataset.data_moved' && JSON.parse(event.details).batchId === 'mixed-1');
    expect(JSON.parse(moved!.details)).toMatchObject({ rowsIn: 3, rowsRejected: 9, upserted: 2, deleted: 1 });
  });

  it('[AGT-03] an upsert replaces the row with the same key instead of duplicating it', async () => {
    await send({ batchId: 'update-1', upserts: [{ id: 10, customer: 'Valid one', amount: 99, paid: false, issued_at: null }] });
    const row = (await rows()).filter((candidate) => candidate.id === 10);
    expect(row).toEqual([{ id: 10, customer: 'Valid one', amount: 99, paid: false, issued_at: null }]);
  });

  it('[AGT-03] a batch over the size limit is refused whole', async () => {
    const before = await rows();
    const tooMany = await send({ batchId: 'huge-1', upserts: Array.from({ length: 1001 }, (_, index) => ({ id: 1000 + index, customer: 'x' })) });
    expect(tooMany.status).toBe(400);
    const tooLarge = await send({ batchId: 'huge-2', upserts: [{ id: 5000, customer: 'x'.repeat(1024 * 1024 + 1) }] });
    expect(tooLarge.status).toBe(413);
    expect(await rows()).toEqual(before);
    for (const batchId of ['huge-1', 'huge-2']) {
      expect(workspaceEvents(enclave, alpha.id).some((event) => event.action === 'dataset.data_moved' && JSON.parse(event.details).batchId === batchId)).toBe(false);
    }
  });

  it('[AGT-03] an API key with datasets:write may send batches; a viewer key may not', async () => {
    const builder = await enclave.addKey(alpha.id, 'builder');
    expect((await send({ batchId: 'from-builder', upserts: [{ id: 30, customer: 'Initech' }] }, builder)).status).toBe(200);
    const viewer = await enclave.addKey(alpha.id, 'viewer');
    expect((await send({ batchId: 'from-viewer', upserts: [{ id: 31, customer: 'Hooli' }] }, viewer)).status).toBe(403);
  });

  it('[ACC-03] an agent of workspace A can never read or write workspace B', async () => {
    await enclave.request('POST', `/api/w/${beta.id}/datasets`, { token: beta.token, body: invoices });
    await send({ batchId: 'beta-1', upserts: [{ id: 1, customer: 'Beta secret customer' }] }, beta.token, beta.id);
    const betaRowsBefore = await rows(beta.id, beta.token);
    const attempts: [string, string, unknown?][] = [
      ['GET', '/datasets'],
      ['GET', '/datasets/invoices'],
      ['GET', '/datasets/invoices/rows'],
      ['POST', '/datasets/invoices/batches', { batchId: 'from-alpha', upserts: [{ id: 2, customer: 'planted by alpha' }], deletes: [{ id: 1 }] }],
      ['POST', '/datasets/invoices/batches', { batchId: 'beta-1', upserts: [{ id: 1, customer: 'Beta secret customer' }] }],
      ['POST', '/datasets', { name: 'planted', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] }],
      ['POST', '/datasets/invoices/columns', { columns: [{ name: 'planted', type: 'text' }] }],
      ['DELETE', '/datasets/invoices'],
      ['GET', '/agents'],
      ['POST', '/agents/pairing-tokens', {}],
    ];
    for (const [method, path, body] of attempts) {
      const answer = await enclave.request(method, `/api/w/${beta.id}${path}`, { token, body });
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(await answer.text()).not.toContain('Beta secret customer');
    }
    expect(await rows(beta.id, beta.token)).toEqual(betaRowsBefore);
    const betaDatasets = enclave.server.platform.datasets.list(beta.id);
    expect(betaDatasets.map((dataset) => [dataset.name, dataset.columns.length])).toEqual([['invoices', 5]]);
    // The same names in its own workspace reach only its own rows.
    expect(JSON.stringify(await rows())).not.toContain('Beta secret customer');
    expect(workspaceEvents(enclave, beta.id).some((event) => event.actor_id === agent.id)).toBe(false);
  });
});

describe('the per-agent rate limit on batches', () => {
  let enclave: TestServer;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { perActorPerMinute: 5 } });
  });
  afterAll(() => enclave.close());

  it('[AGT-03] an agent past its per-minute budget gets 429 with Retry-After, while another agent still gets through', async () => {
    const workspace = await enclave.createWorkspace('Limited');
    await enclave.request('POST', `/api/w/${workspace.id}/datasets`, { token: workspace.token, body: invoices });
    const busy = await pairAgent(enclave, workspace, 'busy');
    const quiet = await pairAgent(enclave, workspace, 'quiet');
    const busyToken = await busy.accessToken();
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let index = 0; index < 6; index++) {
      const answer = await enclave.request('POST', `/api/w/${workspace.id}/datasets/invoices/batches`, { token: busyToken, body: { batchId: `busy-${index}`, upserts: [{ id: index, customer: 'x' }] } });
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(limited!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited!.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    const quietAnswer = await enclave.request('POST', `/api/w/${workspace.id}/datasets/invoices/batches`, { token: await quiet.accessToken(), body: { batchId: 'quiet-1', upserts: [{ id: 100, customer: 'y' }] } });
    expect(quietAnswer.status).toBe(200);
  });
});
