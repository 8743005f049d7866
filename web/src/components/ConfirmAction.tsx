import { type ReactNode, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

interface ConfirmActionProps {
  id: string;
  /** Names the group for screen readers, e.g. "Confirm revoking Accounting PC". */
  label: string;
  question: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  /** What the person tried, for a refusal ("revoke agents"). */
  action: string;
  run(): Promise<void>;
  onDone(): void;
  onCancel(): void;
}

/** A second, explicit click for something immediate that cannot be undone; the failure stays beside the buttons. */
export function ConfirmAction({ id, label, question, confirmLabel, busyLabel, action, run, onDone, onCancel }: ConfirmActionProps) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | undefined>();

  async function confirm() {
    setBusy(true);
    setFailure(undefined);
    try {
      await run();
      onDone();
    } catch (error) {
      setFailure(toApiError(error));
      setBusy(false);
    }
  }

  return (
    <div id={id} className="confirm" role="group" aria-label={label}>
      <p className="confirm-question">{question}</p>
      <div className="confirm-actions">
        <button type="button" className="button button-small button-danger" onClick={confirm} disabled={busy}>
          {busy ? busyLabel : confirmLabel}
        </button>
        {/* The safe choice takes focus, so a stray Enter does not confirm. */}
        <button type="button" className="button button-small button-quiet" onClick={onCancel} disabled={busy} autoFocus>
          Cancel
        </button>
      </div>
      {failure && <ErrorNotice error={failure} action={action} />}
    </div>
  );
}
