import type { EnclaveClient } from './client.ts';

export type ColumnType = 'text' | 'integer' | 'real' | 'boolean' | 'timestamp';

export interface DatasetColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /** Values only owners and admins see; the API masks them for everyone else. */
  sensitive: boolean;
}

export interface DatasetSummary {
  name: string;
  columns: DatasetColumn[];
  primaryKey: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Dataset extends DatasetSummary {
  rowCount: number;
}

export type Cell = string | number | boolean | null;
export type DatasetRow = Record<string, Cell>;

export interface RowPage {
  rows: DatasetRow[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

function datasetPath(name: string): string {
  return `/datasets/${encodeURIComponent(name)}`;
}

export async function datasets(client: EnclaveClient): Promise<Dataset[]> {
  return (await client.call<{ datasets: Dataset[] }>('/datasets')).datasets;
}

export function dataset(client: EnclaveClient, name: string): Promise<Dataset> {
  return client.call<Dataset>(datasetPath(name));
}

/** A page of rows, masked by the server as the caller's role requires. */
export function datasetRows(client: EnclaveClient, name: string, page: { limit: number; cursor?: string | undefined }): Promise<RowPage> {
  const query = new URLSearchParams({ limit: String(page.limit) });
  if (page.cursor !== undefined) query.set('cursor', page.cursor);
  return client.call<RowPage>(`${datasetPath(name)}/rows?${query.toString()}`);
}
