import { useCallback, useState } from 'react';
import type { EnclaveClient } from '../api/client.ts';
import { datasets } from '../api/datasets.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import type { PageId } from '../pages.ts';
import { AppLink } from './AppLink.tsx';
import { DatasetTable } from './DatasetTable.tsx';
import { DatasetView } from './DatasetView.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PageHeading } from './PageHeading.tsx';
import '../styles/datasets.css';

interface DatasetsPageProps {
  client: EnclaveClient;
  onOpen(id: PageId): void;
}

export function DatasetsPage({ client, onOpen }: DatasetsPageProps) {
  const list = useApiQuery(useCallback(() => datasets(client), [client]));
  const [open, setOpen] = useState<string | undefined>();

  return (
    <>
      <PageHeading description="Tables of your business data, kept in this workspace's encrypted database. Agents fill them from exports on your own machines; scripts can fill them through the API.">
        Datasets
      </PageHeading>
      {open !== undefined ? (
        <DatasetView
          client={client}
          name={open}
          onBack={() => {
            setOpen(undefined);
            list.reload();
          }}
        />
      ) : (
        <section className="card" aria-labelledby="dataset-list-heading">
          <h2 id="dataset-list-heading">Datasets in this workspace</h2>
          {list.result.state === 'loading' && <p className="muted">Loading datasets…</p>}
          {list.result.state === 'failed' && <ErrorNotice error={list.result.error} action="see datasets" />}
          {list.result.state === 'loaded' &&
            (list.result.value.length === 0 ? (
              <p className="muted">
                No datasets yet: <AppLink to="agents" onOpen={onOpen}>pair an agent</AppLink> or create one through the API.
              </p>
            ) : (
              <DatasetTable datasets={list.result.value} onOpen={setOpen} />
            ))}
        </section>
      )}
    </>
  );
}
