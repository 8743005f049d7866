import type { CreatedApiKey } from '../api/types.ts';
import { SecretField, useClipboard } from './SecretField.tsx';
import { SecretNotice } from './SecretNotice.tsx';

interface NewTokenNoticeProps {
  created: CreatedApiKey;
  onDismiss(): void;
}

/** The one and only time a key's secret is on screen; the server keeps nothing but its hash. */
export function NewTokenNotice({ created, onDismiss }: NewTokenNoticeProps) {
  const { copied, copy } = useClipboard<'key'>();

  return (
    <SecretNotice
      headingId="new-token-heading"
      headingLevel="h2"
      heading={<>Copy the new key “{created.apiKey.name}” now</>}
      dismissLabel="I have stored the key"
      onDismiss={onDismiss}
    >
      <p>
        <strong>You will not see this key again.</strong> Enclave stores only a hash of it, so it cannot show it a second
        time. Store it in your password manager or secret store before leaving this page.
      </p>
      <SecretField id="new-token" label="New API key" value={created.token} copy={{ label: 'Copy', onCopy: () => void copy('key', created.token) }} />
      <p className="form-status" role="status">
        {copied === 'key' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'The browser refused clipboard access: select the key and copy it yourself.'}
      </p>
    </SecretNotice>
  );
}
