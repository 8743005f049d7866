import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, ROLES } from '../../src/access/permissions.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

type Row = Record<string, string | number | boolean | null>;

// Canaries: values that must reach only readers allowed to reveal them.
const TAX_ID = 'TAXID-CANARY-7731';
const CARD = '4111 1111 1111 1111';
const IBAN = 'DE89 3704 0044 0532 0130 00';

const customers = {
  name: 'customers',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'text' },
    { name: 'tax_id', type: 'text', sensitive: true },
    { name: 'balance', type: 'real', sensitive: true },
    { name: 'note', type: 'text' },
  ],
  primaryKey: ['id'],
};

const rows: Row[] = [
  { id: 1, name: 'Ada Lovelace', tax_id: TAX_ID, balance: 1234.5, note: `paid with card ${CARD}, refunds to ${IBAN}` },
  { id: 2, name: 'Charles Babbage', tax_id: null, balance: null, note: 'no payment yet' },
];

describe('sensitive dataset columns: masked unless the reader may reveal them', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Ledger');
    const created = await enclave.request('POST', `/api/w/${workspace.id}/datasets`, { token: workspace.token, body: customers });
    expect(created.status).toBe(201);
    // The agent-free batch API, with a key that holds datasets:write.
    const builder = await enclave.addKey(workspace.id, 'builder');
    const batch = await enclave.request('POST', `/api/w/${workspace.id}/datasets/customers/batches`, { token: builder, body: { batchId: 'seed-1', upserts: rows } });
    expect(batch.status).toBe(200);
    expect(((await batch.json()) as { upserted: number }).upserted).toBe(2);
  });
  afterAll(() => enclave.close());

  const readRows = async (auth: { token?: string; cookie?: string }) => {
    const response = await enclave.request('GET', `/api/w/${workspace.id}/datasets/customers/rows`, auth);
    expect(response.status).toBe(200);
    return ((await response.json()) as { rows: Row[] }).rows;
  };

  it('[LOG-05] a viewer reads masked values: the sensitive columns whole, a card number and IBAN inside a text column; an admin reads them whole', async () => {
    const viewer = await readRows({ token: await enclave.addKey(workspace.id, 'viewer') });
    expect(viewer[0]).toEqual({
      id: 1,
      name: 'Ada Lovelace',
      tax_id: '[REDACTED:sensitive]',
      balance: '[REDACTED:sensitive]',
      note: 'paid with card [REDACTED:card], refunds to [REDACTED:iban]',
    });
    // An empty cell stays empty: only values are masked.
    expect(viewer[1]).toEqual(rows[1]);
    const text = JSON.stringify(viewer);
    for (const canary of [TAX_ID, CARD, IBAN, '1234.5']) expect(text).not.toContain(canary);

    expect(await readRows({ token: await enclave.addKey(workspace.id, 'admin') })).toEqual(rows);

    // The schema marks the sensitive columns for everyone who may read it.
    const dataset = await enclave.request('GET', `/api/w/${workspace.id}/datasets/customers`, { token: await enclave.addKey(workspace.id, 'viewer') });
    const columns = ((await dataset.json()) as { columns: { name: string; sensitive: boolean }[] }).columns;
    expect(columns.filter((column) => column.sensitive).map((column) => column.name)).toEqual(['tax_id', 'balance']);
  });

  it('[LOG-05] the database holds the real values, and no canary reaches the logs', () => {
    const stored = enclave.server.platform.databases.open(workspace.id).db.prepare('SELECT * FROM "ds_customers" ORDER BY id').all();
    expect(stored).toEqual(rows);
    const logs = enclave.logs.join('\n');
    for (const canary of [TAX_ID, CARD, IBAN]) expect(logs).not.toContain(canary);
  });

  it('[ACC-01] only roles with datasets:reveal (owner, admin) read rows whole, for API keys and signed-in members alike', async () => {
    for (const role of ROLES) {
      const token = await enclave.addKey(workspace.id, role);
      const response = await enclave.request('GET', `/api/w/${workspace.id}/datasets/customers/rows`, { token });
      if (!can(role, 'datasets:readRows')) {
        expect(response.status, role).toBe(403);
        continue;
      }
      expect(response.status, role).toBe(200);
      const [first] = ((await response.json()) as { rows: Row[] }).rows;
      expect(first?.tax_id, role).toBe(can(role, 'datasets:reveal') ? TAX_ID : '[REDACTED:sensitive]');
    }
    expect(ROLES.filter((role) => can(role, 'datasets:reveal'))).toEqual(['owner', 'admin']);

    // A person's role comes from their membership, looked up on each request.
    const person = await enclave.createUser('Vera Viewer');
    await enclave.addMember(workspace.id, person, 'viewer');
    const cookie = await enclave.signIn(person);
    expect((await readRows({ cookie }))[0]?.tax_id).toBe('[REDACTED:sensitive]');
    const manager = await enclave.createUser('Ada Admin');
    await enclave.addMember(workspace.id, manager, 'admin');
    expect((await readRows({ cookie: await enclave.signIn(manager) }))[0]?.tax_id).toBe(TAX_ID);
  });

  it('[LOG-05] a paging cursor does not carry the key values a viewer sees masked, and opens only for the dataset that issued it', async () => {
    const emails = ['ada@people.example', 'charles@people.example', 'grace@people.example'];
    const created = await enclave.request('POST', `/api/w/${workspace.id}/datasets`, {
      token: workspace.token,
      body: { name: 'contacts', columns: [{ name: 'email', type: 'text', sensitive: true }, { name: 'city', type: 'text' }], primaryKey: ['email'] },
    });
    expect(created.status).toBe(201);
    const upserts = emails.map((email) => ({ email, city: 'London' }));
    expect((await enclave.request('POST', `/api/w/${workspace.id}/datasets/contacts/batches`, { token: workspace.token, body: { batchId: 'contacts-1', upserts } })).status).toBe(200);

    const viewer = await enclave.addKey(workspace.id, 'viewer');
    const seen: Row[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=1' : `?limit=1&cursor=${encodeURIComponent(cursor)}`;
      const response = await enclave.request('GET', `/api/w/${workspace.id}/datasets/contacts/rows${query}`, { token: viewer });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { rows: Row[]; nextCursor: string | null };
      seen.push(...page.rows);
      cursor = page.nextCursor;
      if (cursor !== null) {
        const decoded = Buffer.from(cursor, 'base64url').toString('latin1');
        for (const email of emails) expect(decoded).not.toContain(email);
        // A cursor of `contacts` does not page `customers`.
        const elsewhere = await enclave.request('GET', `/api/w/${workspace.id}/datasets/customers/rows?cursor=${encodeURIComponent(cursor)}`, { token: viewer });
        expect(elsewhere.status).toBe(400);
        expect(((await elsewhere.json()) as { error: { code: string } }).error.code).toBe('invalid_cursor');
      }
    } while (cursor !== null && seen.length < 10);
    expect(seen).toEqual(emails.map(() => ({ email: '[REDACTED:sensitive]', city: 'London' })));
  });

  it('[WEB-02] a column marked sensitive with anything but a boolean is refused and creates nothing', async () => {
    const response = await enclave.request('POST', `/api/w/${workspace.id}/datasets`, {
      token: workspace.token,
      body: { name: 'refused', columns: [{ name: 'id', type: 'integer', sensitive: 'yes' }], primaryKey: ['id'] },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    const list = await enclave.request('GET', `/api/w/${workspace.id}/datasets`, { token: workspace.token });
    expect(((await list.json()) as { datasets: { name: string }[] }).datasets.map((dataset) => dataset.name)).not.toContain('refused');
  });
});
