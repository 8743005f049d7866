import { useState } from 'react';
import type { CreatedApiKey } from '../api/types.ts';

interface NewTokenNoticeProps {
  created: CreatedApiKey;
  onDismiss(): void;
}

/** The one and only time a key's secret is on screen; the server keeps nothing but its hash. */
export function NewTokenNotice({ created, onDismiss }: NewTokenNoticeProps) {
  const [copyResult, setCopyResult] = useState<'copied' | 'failed' | undefined>();

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopyResult('copied');
    } catch {
      setCopyResult('failed');
    }
  }

  return (
    <section className="notice notice-secret" aria-labelledby="new-token-heading">
      <h2 id="new-token-heading" className="notice-heading">
        Copy the new key “{created.apiKey.name}” now
      </h2>
      <p>
        <strong>You will not see this key again.</strong> Enclave stores only a hash of it, so it cannot show it a second
        time. Store it in your password manager or secret store before leaving this page.
      </p>
      <div className="secret-field">
        <label htmlFor="new-token" className="visually-hidden">
          New API key
        </label>
        <input
          id="new-token"
          className="input-mono"
          readOnly
          value={created.token}
          onFocus={(event) => event.target.select()}
          spellCheck={false}
          autoComplete="off"
        />
        <button type="button" className="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="form-status" role="status">
        {copyResult === 'copied' && 'Copied to the clipboard.'}
        {copyResult === 'failed' && 'The browser refused clipboard access: select the key and copy it yourself.'}
      </p>
      <div className="form-actions">
        <button type="button" className="button button-quiet" onClick={onDismiss}>
          I have stored the key
        </button>
      </div>
    </section>
  );
}
