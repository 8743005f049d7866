import { useCallback, useState } from 'react';
import { agents, type CreatedPairingToken, pairingTokens } from '../api/agents.ts';
import type { EnclaveClient } from '../api/client.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { AgentTable } from './AgentTable.tsx';
import { CreatePairingTokenForm } from './CreatePairingTokenForm.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PageHeading } from './PageHeading.tsx';
import { PairingTokenNotice } from './PairingTokenNotice.tsx';
import { PairingTokenTable } from './PairingTokenTable.tsx';
import '../styles/datasets.css';

interface AgentsPageProps {
  client: EnclaveClient;
}

export function AgentsPage({ client }: AgentsPageProps) {
  // One load for both lists, so a role that may not manage agents gets one clear refusal.
  const loaded = useApiQuery(useCallback(async () => {
    const [tokens, paired] = await Promise.all([pairingTokens(client), agents(client)]);
    return { tokens, paired };
  }, [client]));
  // Held only while this page is open: leaving the page drops the one copy the browser has.
  const [created, setCreated] = useState<CreatedPairingToken | undefined>();

  return (
    <>
      <PageHeading description="Agents run on your own machines and send exports from your accounting package, ERP or spreadsheets into this workspace's datasets. Each pairs once with a single-use token, and stops the moment you revoke it.">
        Agents
      </PageHeading>
      {loaded.result.state === 'loading' && <p className="muted">Loading agents…</p>}
      {loaded.result.state === 'failed' && <ErrorNotice error={loaded.result.error} action="see or manage agents" />}
      {loaded.result.state === 'loaded' && (
        <>
          {created && <PairingTokenNotice created={created} onDismiss={() => setCreated(undefined)} />}
          <section className="card" aria-labelledby="pair-agent-heading">
            <h2 id="pair-agent-heading">Pair an agent</h2>
            <p className="muted">A pairing token works once and expires after 30 days at most. Name it after the machine it is for.</p>
            <CreatePairingTokenForm
              client={client}
              onCreated={(token) => {
                setCreated(token);
                loaded.reload();
              }}
            />
          </section>
          <section className="card" aria-labelledby="pairing-tokens-heading">
            <h2 id="pairing-tokens-heading">Pairing tokens not yet used</h2>
            <PairingTokenTable client={client} pairingTokens={loaded.result.value.tokens} onRevoked={loaded.reload} />
          </section>
          <section className="card" aria-labelledby="agents-heading">
            <h2 id="agents-heading">Paired agents</h2>
            <AgentTable client={client} agents={loaded.result.value.paired} onRevoked={loaded.reload} />
          </section>
        </>
      )}
    </>
  );
}
