import { type FormEvent, type ReactNode, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { TextField } from './TextField.tsx';

interface PasswordPromptProps {
  id: string;
  /** What the password unlocks, as a sentence shown above the field. */
  explanation: string;
  submitLabel: string;
  busyLabel: string;
  /** What the person is trying to do, for error messages ("turn off two-factor authentication"). */
  action: string;
  danger?: boolean;
  /** Fields asked for along with the password (a passkey's name), shown above it. */
  children?: ReactNode;
  onSubmit(password: string): Promise<void>;
  onCancel(): void;
}

/**
 * Changing a second factor asks for the current password again: a session cookie alone
 * (left open on a shared computer, or stolen) must not be enough to replace or remove it.
 */
export function PasswordPrompt({ id, explanation, submitLabel, busyLabel, action, danger = false, children, onSubmit, onCancel }: PasswordPromptProps) {
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<string[]>([]);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setMissing(password ? [] : ['Enter your current password.']);
    setFailure(undefined);
    if (!password) return;
    setBusy(true);
    try {
      await onSubmit(password);
    } catch (error) {
      setFailure(toApiError(error));
      setPassword('');
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={submit} noValidate aria-label={submitLabel}>
      <p>{explanation}</p>
      {children}
      <TextField
        id={id}
        label="Current password"
        messages={missing}
        name="password"
        type="password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        autoComplete="current-password"
        autoFocus
      />
      {failure && <ErrorNotice error={failure} action={action} />}
      <div className="form-actions">
        <button type="submit" className={`button ${danger ? 'button-danger' : 'button-primary'}`} disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
