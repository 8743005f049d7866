import { mcpEndpoint } from '../api/mcp.ts';
import { CopySnippet } from './CopySnippet.tsx';

/** The variable the token snippets read, so the token itself stays out of shell history and shared files. */
const TOKEN_VARIABLE = 'ENCLAVE_MCP_TOKEN';

function cursorConfig(url: string, withToken: boolean): string {
  const server = withToken ? { url, headers: { Authorization: `Bearer \${env:${TOKEN_VARIABLE}}` } } : { url };
  return JSON.stringify({ mcpServers: { enclave: server } }, null, 2);
}

/**
 * Copy-paste instructions for the common MCP clients. Clients that speak OAuth need only the
 * URL: they register themselves and send the person to this server's consent screen. The
 * personal-token variant is for clients without OAuth.
 */
export function McpConnectionGuide() {
  const url = mcpEndpoint();
  return (
    <div className="connection-guide">
      <p>
        Every AI client connects to the same address. Clients that support OAuth need nothing else: on first use they
        open a page here where you choose the workspace and what the client may do.
      </p>
      <CopySnippet label="MCP endpoint URL" text={url} />

      <h3>Claude Code</h3>
      <CopySnippet label="Claude Code command" text={`claude mcp add --transport http enclave ${url}`} />
      <p className="muted">Then run <code>/mcp</code> in Claude Code and choose Authenticate.</p>

      <h3>Claude Desktop and claude.ai</h3>
      <p>
        In Settings, open Connectors, choose <strong>Add custom connector</strong>, name it Enclave and paste the endpoint
        URL above. Claude then opens the consent page here.
      </p>

      <h3>ChatGPT</h3>
      <p>
        In Settings, open Connectors (developer mode must be on), create a connector, paste the endpoint URL above and
        choose OAuth as the authentication.
      </p>

      <h3>Cursor</h3>
      <p>
        Add this to <code>.cursor/mcp.json</code> in a project, or <code>~/.cursor/mcp.json</code> for every project:
      </p>
      <CopySnippet label="Cursor configuration" text={cursorConfig(url, false)} />

      <h3>MCP Inspector</h3>
      <CopySnippet label="MCP Inspector command" text="npx @modelcontextprotocol/inspector" />
      <p className="muted">
        In the page it opens, choose the transport <strong>Streamable HTTP</strong>, paste the endpoint URL and connect.
      </p>

      <h3>Clients without OAuth: a personal token</h3>
      <p>
        Create a personal MCP token below and send it in an <code>Authorization: Bearer</code> header. Keep it in the
        environment variable <code>{TOKEN_VARIABLE}</code> rather than in a command line or a shared file.
      </p>
      <CopySnippet label="Authorization header" text={`Authorization: Bearer $${TOKEN_VARIABLE}`} />
      <CopySnippet
        label="Claude Code command with a personal token"
        text={`claude mcp add --transport http enclave ${url} --header "Authorization: Bearer $${TOKEN_VARIABLE}"`}
      />
      <CopySnippet label="Cursor configuration with a personal token" text={cursorConfig(url, true)} />
    </div>
  );
}
