import { useCallback, useEffect, useRef, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import { dataset, datasetRows } from '../api/datasets.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { plural } from '../plural.ts';
import { DatasetRows } from './DatasetRows.tsx';
import { DatasetSchema } from './DatasetSchema.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Timestamp } from './Timestamp.tsx';

const PAGE_SIZE = 50;

interface DatasetViewProps {
  client: EnclaveClient;
  name: string;
  onBack(): void;
}

/** One dataset: its schema, and its rows a page at a time, masked by the server as the reader's role requires. */
export function DatasetView({ client, name, onBack }: DatasetViewProps) {
  const loaded = useApiQuery(
    useCallback(async () => {
      const [shape, page] = await Promise.all([dataset(client, name), datasetRows(client, name, { limit: PAGE_SIZE })]);
      return { shape, rows: page.rows, nextCursor: page.nextCursor };
    }, [client, name]),
  );
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreFailure, setMoreFailure] = useState<ApiError | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);
  // The list this replaced had focus; move it here so keyboard and screen-reader users land on the dataset.
  useEffect(() => heading.current?.focus(), []);

  async function loadMore(cursor: string) {
    setLoadingMore(true);
    setMoreFailure(undefined);
    try {
      const next = await datasetRows(client, name, { limit: PAGE_SIZE, cursor });
      loaded.update((shown) => ({ ...shown, rows: [...shown.rows, ...next.rows], nextCursor: next.nextCursor }));
    } catch (error) {
      setMoreFailure(toApiError(error));
    } finally {
      setLoadingMore(false);
    }
  }

  const value = loaded.result.state === 'loaded' ? loaded.result.value : undefined;
  const masked = value?.shape.columns.some((column) => column.sensitive) ?? false;
  return (
    <>
      <button type="button" className="button button-quiet dataset-back" onClick={onBack}>
        ← All datasets
      </button>
      <section className="card" aria-labelledby="dataset-heading">
        <h2 id="dataset-heading" ref={heading} tabIndex={-1}>
          Dataset <code>{name}</code>
        </h2>
        {loaded.result.state === 'loading' && <p className="muted">Loading the dataset…</p>}
        {loaded.result.state === 'failed' && <ErrorNotice error={loaded.result.error} action="read this dataset's rows" />}
        {value && (
          <>
            <dl className="facts">
              <div>
                <dt>Rows</dt>
                <dd>{value.shape.rowCount.toLocaleString()}</dd>
              </div>
              <div>
                <dt>Primary key</dt>
                <dd>
                  <code>{value.shape.primaryKey.join(', ')}</code>
                </dd>
              </div>
              <div>
                <dt>Updated</dt>
                <dd>
                  <Timestamp at={value.shape.updatedAt} />
                </dd>
              </div>
            </dl>
            <h3>Columns</h3>
            <DatasetSchema dataset={value.shape} />
          </>
        )}
      </section>
      {value && (
        <section className="card" aria-labelledby="rows-heading">
          <h2 id="rows-heading">Rows</h2>
          <p className="muted">
            {masked ? 'Values of sensitive columns, and ' : 'Values such as '}
            card numbers, IBANs, national ids and e-mail addresses in other columns, are masked unless your role may
            reveal them (owners and admins).
          </p>
          {value.rows.length === 0 ? (
            <p className="muted">This dataset has no rows yet.</p>
          ) : (
            <DatasetRows name={name} columns={value.shape.columns} rows={value.rows} />
          )}
          <div className="table-footer">
            <p className="muted" role="status">
              {value.nextCursor === null
                ? `Showing all ${plural(value.rows.length, 'row')}.`
                : `Showing the first ${plural(value.rows.length, 'row')} of ${value.shape.rowCount.toLocaleString()}.`}
            </p>
            {value.nextCursor !== null && (
              <button type="button" className="button" onClick={() => loadMore(value.nextCursor!)} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Load more'}
              </button>
            )}
          </div>
          {moreFailure && <ErrorNotice error={moreFailure} action="read this dataset's rows" />}
        </section>
      )}
    </>
  );
}
