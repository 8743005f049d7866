import { useEffect, useRef, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { readDownload } from '../api/download.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

interface ArchiveDownloadProps {
  /** The button's words, e.g. "Export this workspace". */
  label: string;
  /** What the person tried, for a refusal ("export this workspace"). */
  action: string;
  fallbackName: string;
  open(): Promise<Response>;
}

type State =
  | { kind: 'idle' }
  | { kind: 'downloading'; bytes: number }
  | { kind: 'saved'; url: string; filename: string; bytes: number }
  | { kind: 'failed'; error: ApiError };

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * DAT-01: fetches an archive the server streams, counting the bytes as they come, then
 * hands it to the browser's own download through a Blob object URL and an
 * <a download> link (which stays on screen to save it again). A plain link to the route
 * would skip the progress and show a 429 as a bare error page.
 */
export function ArchiveDownload({ label, action, fallbackName, open }: ArchiveDownloadProps) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const link = useRef<HTMLAnchorElement>(null);
  const savedUrl = state.kind === 'saved' ? state.url : undefined;

  // The archive is saved once, as soon as it is complete; the URL is freed when replaced or left.
  useEffect(() => {
    if (savedUrl === undefined) return;
    link.current?.click();
    return () => URL.revokeObjectURL(savedUrl);
  }, [savedUrl]);

  async function start() {
    setState({ kind: 'downloading', bytes: 0 });
    try {
      const response = await open();
      const archive = await readDownload(response, (bytes) => setState({ kind: 'downloading', bytes }), fallbackName);
      setState({ kind: 'saved', url: URL.createObjectURL(archive.blob), filename: archive.filename, bytes: archive.blob.size });
    } catch (error) {
      setState({ kind: 'failed', error: toApiError(error) });
    }
  }

  return (
    <div className="archive-download">
      <button type="button" className="button" onClick={start} disabled={state.kind === 'downloading'}>
        {state.kind === 'downloading' ? 'Exporting…' : label}
      </button>
      <p className="muted" role="status" aria-live="polite">
        {state.kind === 'downloading' && `Received ${size(state.bytes)}…`}
        {state.kind === 'saved' && (
          <>
            Done: {size(state.bytes)} received.{' '}
            <a ref={link} href={state.url} download={state.filename}>
              Save {state.filename} again
            </a>
          </>
        )}
      </p>
      {state.kind === 'failed' && <ErrorNotice error={state.error} action={action} />}
    </div>
  );
}
