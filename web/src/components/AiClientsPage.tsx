import { useCallback, useState } from 'react';
import type { EnclaveClient } from '../api/client.ts';
import { type CreatedMcpToken, mcpClients, mcpTokens } from '../api/mcp.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { CreateMcpTokenForm } from './CreateMcpTokenForm.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { McpClientTable } from './McpClientTable.tsx';
import { McpConnectionGuide } from './McpConnectionGuide.tsx';
import { McpTokenNotice } from './McpTokenNotice.tsx';
import { McpTokenTable } from './McpTokenTable.tsx';
import { PageHeading } from './PageHeading.tsx';
import '../styles/datasets.css';
import '../styles/ai-clients.css';

interface AiClientsPageProps {
  client: EnclaveClient;
}

/** AI clients over MCP: how to connect one, the ones allowed in, and personal tokens for clients without OAuth. */
export function AiClientsPage({ client }: AiClientsPageProps) {
  // Loaded apart, so a role refused one list still sees the other and the instructions.
  const clients = useApiQuery(useCallback(() => mcpClients(client), [client]));
  const tokens = useApiQuery(useCallback(() => mcpTokens(client), [client]));
  // Held only while this page is open: leaving the page drops the one copy the browser has.
  const [created, setCreated] = useState<CreatedMcpToken | undefined>();

  return (
    <>
      <PageHeading description="AI assistants such as Claude, ChatGPT or Cursor can read this workspace's datasets over the Model Context Protocol (MCP), with your permissions and only what you allow. Sensitive columns stay masked.">
        AI clients
      </PageHeading>
      {created && <McpTokenNotice created={created} onDismiss={() => setCreated(undefined)} />}
      <section className="card" aria-labelledby="mcp-clients-heading">
        <h2 id="mcp-clients-heading">Connected AI clients</h2>
        {clients.result.state === 'loading' && <p className="muted">Loading AI clients…</p>}
        {clients.result.state === 'failed' && <ErrorNotice error={clients.result.error} action="see or revoke AI clients" />}
        {clients.result.state === 'loaded' && <McpClientTable client={client} clients={clients.result.value} onRevoked={clients.reload} />}
      </section>
      <section className="card" aria-labelledby="mcp-tokens-heading">
        <h2 id="mcp-tokens-heading">Personal MCP tokens</h2>
        <p className="muted">
          For AI clients without OAuth. A token acts as you, in this workspace only, and only for what you tick; lowering
          your role narrows it at once.
        </p>
        {tokens.result.state === 'failed' ? (
          <ErrorNotice error={tokens.result.error} action="see or manage personal MCP tokens" />
        ) : (
          <>
            <CreateMcpTokenForm
              client={client}
              onCreated={(token) => {
                setCreated(token);
                tokens.reload();
              }}
            />
            <h3>Your tokens</h3>
            {tokens.result.state === 'loading' ? (
              <p className="muted">Loading tokens…</p>
            ) : (
              <McpTokenTable client={client} tokens={tokens.result.value} onRevoked={tokens.reload} />
            )}
          </>
        )}
      </section>
      <section className="card" aria-labelledby="mcp-connect-heading">
        <h2 id="mcp-connect-heading">Connect an AI client</h2>
        <McpConnectionGuide />
      </section>
    </>
  );
}
