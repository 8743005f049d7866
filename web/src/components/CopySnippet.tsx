import { useClipboard } from './SecretField.tsx';

interface CopySnippetProps {
  /** Names the snippet for screen readers and the Copy button ("Claude Code command"). */
  label: string;
  text: string;
}

/** A command or configuration to paste elsewhere, exactly as shown, with its own Copy button. */
export function CopySnippet({ label, text }: CopySnippetProps) {
  const { copied, copy } = useClipboard<'text'>();
  return (
    <div className="snippet">
      <div className="secret-field">
        <pre className="command" aria-label={label}>
          <code>{text}</code>
        </pre>
        <button type="button" className="button" onClick={() => void copy('text', text)}>
          Copy<span className="visually-hidden"> {label}</span>
        </button>
      </div>
      <p className="form-status" role="status">
        {copied === 'text' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'The browser refused clipboard access: select the text and copy it yourself.'}
      </p>
    </div>
  );
}
