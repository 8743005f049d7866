import type { CreatedPairingToken } from '../api/agents.ts';
import { SecretField, useClipboard } from './SecretField.tsx';
import { SecretNotice } from './SecretNotice.tsx';
import { Timestamp } from './Timestamp.tsx';

interface PairingTokenNoticeProps {
  created: CreatedPairingToken;
  onDismiss(): void;
}

/** The command to run on the agent's machine. The token is read from standard input, never from the command line, where shell history and process lists would keep it. */
export function pairCommand(origin: string): string {
  return `./enclave agent pair --server ${origin} --token-stdin`;
}

/** The one and only time a pairing token is on screen (AGT-01); the server keeps nothing but its hash. */
export function PairingTokenNotice({ created, onDismiss }: PairingTokenNoticeProps) {
  const { copied, copy } = useClipboard<'token' | 'command'>();
  const command = pairCommand(window.location.origin);

  return (
    <SecretNotice
      headingId="new-pairing-token-heading"
      headingLevel="h2"
      heading={<>Pair the agent “{created.pairingToken.name}” now</>}
      dismissLabel="The agent is paired"
      onDismiss={onDismiss}
    >
      <p>
        <strong>You will not see this pairing token again.</strong> It pairs one agent, once, until{' '}
        <Timestamp at={created.pairingToken.expiresAt} />. Enclave stores only a hash of it.
      </p>
      <SecretField
        id="new-pairing-token"
        label="Pairing token"
        value={created.token}
        copy={{ label: 'Copy token', onCopy: () => void copy('token', created.token) }}
      />
      <p>
        On the machine that runs the agent, in the Enclave folder, run this command. It reads the token from standard input:
        pipe it in from your secret store or a file (<code>… --token-stdin &lt; token.txt</code>), or paste it and end the
        input with Ctrl-D (Ctrl-Z, then Enter, on Windows).
      </p>
      <div className="secret-field">
        <pre className="command" aria-label="Pairing command">
          <code>{command}</code>
        </pre>
        <button type="button" className="button" onClick={() => void copy('command', command)}>
          Copy command
        </button>
      </div>
      <p className="form-status" role="status">
        {copied === 'token' && 'Token copied to the clipboard.'}
        {copied === 'command' && 'Command copied to the clipboard.'}
        {copied === 'failed' && 'The browser refused clipboard access: select the text and copy it yourself.'}
      </p>
    </SecretNotice>
  );
}
