import { useEffect, useMemo } from 'react';
import { useClipboard } from './SecretField.tsx';

interface BackupCodesNoticeProps {
  codes: readonly string[];
  /** Why these codes are on screen now, in a sentence. */
  reason: string;
  onDismiss(): void;
}

/**
 * The one and only time backup codes are on screen: the server keeps only scrypt hashes
 * of them. Copy and download make it easy to put them somewhere safe before leaving.
 */
export function BackupCodesNotice({ codes, reason, onDismiss }: BackupCodesNoticeProps) {
  const { copied, copy } = useClipboard<'codes'>();
  const text = codes.join('\n');
  // A blob: URL, revoked when the notice goes, so the file exists only while the codes are on screen.
  const download = useMemo(() => URL.createObjectURL(new Blob([`Enclave backup codes (each works once)\n\n${text}\n`], { type: 'text/plain' })), [text]);
  useEffect(() => () => URL.revokeObjectURL(download), [download]);

  return (
    <section className="notice notice-secret" aria-labelledby="backup-codes-heading">
      <h3 id="backup-codes-heading" className="notice-heading">
        Save your backup codes now
      </h3>
      <p>
        {reason} <strong>You will not see these codes again.</strong> Each one signs you in once when your authenticator
        app is not at hand. Keep them in your password manager or print them.
      </p>
      <ol className="backup-codes" aria-label="Backup codes">
        {codes.map((code) => (
          <li key={code} className="input-mono">
            {code}
          </li>
        ))}
      </ol>
      <div className="form-actions">
        <button type="button" className="button" onClick={() => void copy('codes', text)}>
          Copy codes
        </button>
        <a className="button" href={download} download="enclave-backup-codes.txt">
          Download as text
        </a>
        <button type="button" className="button button-primary" onClick={onDismiss}>
          I have saved them
        </button>
      </div>
      <p className="form-status" role="status">
        {copied === 'codes' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'The browser refused clipboard access: select the codes and copy them yourself.'}
      </p>
    </section>
  );
}
