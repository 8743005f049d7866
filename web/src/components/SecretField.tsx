import { useState } from 'react';

interface SecretFieldProps {
  id: string;
  /** The accessible name of the read-only field. */
  label: string;
  value: string;
  /** A Copy button beside the field, when given. */
  copy?: { label: string; onCopy(): void };
}

/** A secret shown once, in a read-only field that selects itself so it is easy to copy by hand. */
export function SecretField({ id, label, value, copy }: SecretFieldProps) {
  return (
    <div className="secret-field">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input
        id={id}
        className="input-mono"
        readOnly
        value={value}
        onFocus={(event) => event.target.select()}
        spellCheck={false}
        autoComplete="off"
      />
      {copy && (
        <button type="button" className="button" onClick={copy.onCopy}>
          {copy.label}
        </button>
      )}
    </div>
  );
}

/** What was last copied, or 'failed' when the browser refused clipboard access. */
export function useClipboard<What extends string>() {
  const [copied, setCopied] = useState<What | 'failed' | undefined>();

  async function copy(what: What, text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
    } catch {
      setCopied('failed');
    }
  }

  return { copied, copy };
}
