import { useState } from 'react';
import type { CreatedPairingToken } from '../api/agents.ts';
import { Timestamp } from './Timestamp.tsx';

interface PairingTokenNoticeProps {
  created: CreatedPairingToken;
  onDismiss(): void;
}

/** The command to run on the agent's machine. The token is read from standard input, never from the command line, where shell history and process lists would keep it. */
export function pairCommand(origin: string): string {
  return `./enclave agent pair --server ${origin} --token-stdin`;
}

type Copied = 'token' | 'command' | 'failed' | undefined;

/** The one and only time a pairing token is on screen (AGT-01); the server keeps nothing but its hash. */
export function PairingTokenNotice({ created, onDismiss }: PairingTokenNoticeProps) {
  const [copied, setCopied] = useState<Copied>();
  const command = pairCommand(window.location.origin);

  async function copy(what: 'token' | 'command', text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
    } catch {
      setCopied('failed');
    }
  }

  return (
    <section className="notice notice-secret" aria-labelledby="new-pairing-token-heading">
      <h2 id="new-pairing-token-heading" className="notice-heading">
        Pair the agent “{created.pairingToken.name}” now
      </h2>
      <p>
        <strong>You will not see this pairing token again.</strong> It pairs one agent, once, until{' '}
        <Timestamp at={created.pairingToken.expiresAt} />. Enclave stores only a hash of it.
      </p>
      <div className="secret-field">
        <label htmlFor="new-pairing-token" className="visually-hidden">
          Pairing token
        </label>
        <input
          id="new-pairing-token"
          className="input-mono"
          readOnly
          value={created.token}
          onFocus={(event) => event.target.select()}
          spellCheck={false}
          autoComplete="off"
        />
        <button type="button" className="button" onClick={() => copy('token', created.token)}>
          Copy token
        </button>
      </div>
      <p>
        On the machine that runs the agent, in the Enclave folder, run this command. It reads the token from standard input:
        pipe it in from your secret store or a file (<code>… --token-stdin &lt; token.txt</code>), or paste it and end the
        input with Ctrl-D (Ctrl-Z, then Enter, on Windows).
      </p>
      <div className="secret-field">
        <pre className="command" aria-label="Pairing command">
          <code>{command}</code>
        </pre>
        <button type="button" className="button" onClick={() => copy('command', command)}>
          Copy command
        </button>
      </div>
      <p className="form-status" role="status">
        {copied === 'token' && 'Token copied to the clipboard.'}
        {copied === 'command' && 'Command copied to the clipboard.'}
        {copied === 'failed' && 'The browser refused clipboard access: select the text and copy it yourself.'}
      </p>
      <div className="form-actions">
        <button type="button" className="button button-quiet" onClick={onDismiss}>
          The agent is paired
        </button>
      </div>
    </section>
  );
}
