import type { CreatedMcpToken } from '../api/mcp.ts';
import { SecretField, useClipboard } from './SecretField.tsx';
import { SecretNotice } from './SecretNotice.tsx';

interface McpTokenNoticeProps {
  created: CreatedMcpToken;
  onDismiss(): void;
}

/** The one and only time a personal MCP token is on screen (AIC-05); the server keeps nothing but its hash. */
export function McpTokenNotice({ created, onDismiss }: McpTokenNoticeProps) {
  const { copied, copy } = useClipboard<'token'>();

  return (
    <SecretNotice
      headingId="new-mcp-token-heading"
      headingLevel="h2"
      heading={<>Copy the new MCP token “{created.mcpToken.name}” now</>}
      dismissLabel="I have stored the token"
      onDismiss={onDismiss}
    >
      <p>
        <strong>You will not see this token again.</strong> Enclave stores only a hash of it. Put it in your AI client's
        configuration or secret store (see “Clients without OAuth” below) before leaving this page.
      </p>
      <SecretField
        id="new-mcp-token"
        label="New MCP token"
        value={created.token}
        copy={{ label: 'Copy', onCopy: () => void copy('token', created.token) }}
      />
      <p className="form-status" role="status">
        {copied === 'token' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'The browser refused clipboard access: select the token and copy it yourself.'}
      </p>
    </SecretNotice>
  );
}
