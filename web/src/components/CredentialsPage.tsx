import { useCallback } from 'react';
import type { EnclaveClient } from '../api/client.ts';
import { credentialPresets, credentials } from '../api/credentials.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { CreateCredentialForm } from './CreateCredentialForm.tsx';
import { CredentialTable } from './CredentialTable.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PageHeading } from './PageHeading.tsx';

interface CredentialsPageProps {
  client: EnclaveClient;
}

export function CredentialsPage({ client }: CredentialsPageProps) {
  const loaded = useApiQuery(useCallback(async () => ({ credentials: await credentials(client), presets: await credentialPresets(client) }), [client]));
  return (
    <>
      <PageHeading description="Keys and tokens for the tools your workflows call. Each is encrypted under this workspace's own key, usable only by the workflows you allow, and never shown again after you save it.">
        Credentials
      </PageHeading>
      {loaded.result.state === 'loading' && <p className="muted">Loading credentials…</p>}
      {loaded.result.state === 'failed' && <ErrorNotice error={loaded.result.error} action="see or manage credentials" />}
      {loaded.result.state === 'loaded' && (
        <>
          <section className="card" aria-labelledby="add-credential-heading">
            <h2 id="add-credential-heading">Add a credential</h2>
            <CreateCredentialForm client={client} presets={loaded.result.value.presets} onCreated={loaded.reload} />
          </section>
          <section className="card" aria-labelledby="credential-list-heading">
            <h2 id="credential-list-heading">Credentials in this workspace</h2>
            <CredentialTable client={client} credentials={loaded.result.value.credentials} onChanged={loaded.reload} />
          </section>
        </>
      )}
    </>
  );
}
