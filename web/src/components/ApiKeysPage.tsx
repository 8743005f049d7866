import { useCallback, useState } from 'react';
import type { EnclaveClient } from '../api/client.ts';
import type { CreatedApiKey } from '../api/types.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { ApiKeyTable } from './ApiKeyTable.tsx';
import { CreateApiKeyForm } from './CreateApiKeyForm.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { NewTokenNotice } from './NewTokenNotice.tsx';
import { PageHeading } from './PageHeading.tsx';

interface ApiKeysPageProps {
  client: EnclaveClient;
}

export function ApiKeysPage({ client }: ApiKeysPageProps) {
  const apiKeys = useApiQuery(useCallback(() => client.apiKeys(), [client]));
  // Only a key-connected dashboard has a key of its own to mark; a person's session has none.
  const currentKey = useApiQuery(useCallback(() => (client.actsWithKey ? client.currentKey() : Promise.resolve(undefined)), [client]));
  // Held only while this page is open: leaving the page drops the one copy the browser has.
  const [created, setCreated] = useState<CreatedApiKey | undefined>();

  return (
    <>
      <PageHeading description="Keys let scripts and tools act on this workspace with the role you give them. Enclave stores only a hash of each key.">
        API keys
      </PageHeading>
      {apiKeys.result.state === 'failed' ? (
        <ErrorNotice error={apiKeys.result.error} action="see or manage API keys" />
      ) : (
        <>
          {created && <NewTokenNotice created={created} onDismiss={() => setCreated(undefined)} />}
          <section className="card" aria-labelledby="create-key-heading">
            <h2 id="create-key-heading">Create an API key</h2>
            <CreateApiKeyForm
              client={client}
              onCreated={(key) => {
                setCreated(key);
                apiKeys.reload();
              }}
            />
          </section>
          <section className="card" aria-labelledby="key-list-heading">
            <h2 id="key-list-heading">Keys in this workspace</h2>
            {apiKeys.result.state === 'loading' ? (
              <p className="muted">Loading API keys…</p>
            ) : (
              <ApiKeyTable
                client={client}
                apiKeys={apiKeys.result.value}
                currentKeyId={currentKey.result.state === 'loaded' ? currentKey.result.value?.id : undefined}
                onRevoked={apiKeys.reload}
              />
            )}
          </section>
        </>
      )}
    </>
  );
}
