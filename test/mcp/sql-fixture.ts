import { expect } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { deriveWorkspaceKey } from '../../src/core/keyring.ts';
import { workspaceDatabasePath } from '../../src/core/layout.ts';
import { ReadOnlySql, type ReadOnlySqlDeps } from '../../src/mcp/sql/read-only-sql.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

export type Row = Record<string, string | number | boolean | null>;

// Canaries: values that must leave the query path only masked.
export const TAX_ID = 'TAXID-CANARY-5581';
export const BALANCE = 98765.25;
export const CARD = '4111 1111 1111 1111';
export const SSN = 'SSN-CANARY-1207';

export const DATASETS = [
  {
    name: 'customers',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'text' },
      { name: 'tax_id', type: 'text', sensitive: true },
      { name: 'balance', type: 'real', sensitive: true },
      { name: 'note', type: 'text' },
    ],
    primaryKey: ['id'],
  },
  {
    name: 'orders',
    columns: [
      { name: 'id', type: 'text' },
      { name: 'customer_id', type: 'integer' },
      { name: 'total', type: 'real' },
    ],
    primaryKey: ['id'],
  },
  // A sensitive column in the key, stored first in the table's b-tree.
  {
    name: 'people',
    columns: [
      { name: 'nickname', type: 'text' },
      { name: 'ssn', type: 'text', sensitive: true },
    ],
    primaryKey: ['ssn'],
  },
];

export const ROWS: Record<string, Row[]> = {
  customers: [
    { id: 1, name: 'Ada', tax_id: TAX_ID, balance: BALANCE, note: `card ${CARD}` },
    { id: 2, name: 'Charles', tax_id: null, balance: 10, note: 'no payment yet' },
    { id: 3, name: 'Grace', tax_id: 'TAXID-3', balance: 20, note: null },
  ],
  orders: [
    { id: 'o1', customer_id: 1, total: 10 },
    { id: 'o2', customer_id: 1, total: 5.5 },
    { id: 'o3', customer_id: 2, total: 7 },
  ],
  people: [{ nickname: 'Ace', ssn: SSN }],
};

export interface SqlFixture {
  enclave: TestServer;
  workspace: TestWorkspace;
  /** The workspace database's path and key, as the lead's wiring computes them. */
  path: string;
  key: Buffer;
  sql(options?: Partial<Pick<ReadOnlySqlDeps, 'maxRows' | 'timeoutMs'>>): ReadOnlySql;
  /** The rows of a dataset through the HTTP API, as an admin (who may reveal) reads them. */
  rowsOf(dataset: string): Promise<Row[]>;
}

export async function startSqlFixture(): Promise<SqlFixture> {
  const enclave = await startTestServer();
  const workspace = await enclave.createWorkspace('Query');
  const writer = await enclave.addKey(workspace.id, 'admin');
  for (const dataset of DATASETS) {
    const created = await enclave.request('POST', `/api/w/${workspace.id}/datasets`, { token: writer, body: dataset });
    expect(created.status).toBe(201);
    const batch = await enclave.request('POST', `/api/w/${workspace.id}/datasets/${dataset.name}/batches`, {
      token: writer,
      body: { batchId: `seed-${dataset.name}`, upserts: ROWS[dataset.name] },
    });
    expect(batch.status).toBe(200);
  }
  const platform = enclave.server.platform;
  const deps = {
    databasePath: (id: string) => workspaceDatabasePath(platform.config.dataDir, id),
    databaseKey: (id: string) => {
      const seed = platform.workspaces.seedOf(id);
      if (!seed) throw new Error('no such workspace');
      return deriveWorkspaceKey(seed, id, 'db');
    },
  };
  return {
    enclave,
    workspace,
    path: deps.databasePath(workspace.id),
    key: deps.databaseKey(workspace.id),
    sql: (options = {}) => new ReadOnlySql({ ...deps, ...options }),
    async rowsOf(dataset) {
      const response = await enclave.request('GET', `/api/w/${workspace.id}/datasets/${dataset}/rows?limit=1000`, { token: writer });
      expect(response.status).toBe(200);
      return ((await response.json()) as { rows: Row[] }).rows;
    },
  };
}

/** The AppError a refused statement rejects with; its message names no path and no key. */
export async function refusal(fixture: SqlFixture, promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  for (const secret of [fixture.path, fixture.enclave.dataDir, fixture.key.toString('hex'), fixture.key.toString('base64')]) {
    expect(appError.message).not.toContain(secret);
  }
  expect(appError.message.toLowerCase()).not.toContain(fixture.key.toString('hex').toLowerCase());
  return appError;
}
