import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { addPasskey, type Passkey } from '../api/passkeys.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { TextField } from './TextField.tsx';

interface AddPasskeyFormProps {
  onAdded(passkey: Passkey): void;
  onCancel(): void;
}

/**
 * Adding a passkey changes how the account can be signed in to, so it asks for the
 * current password first (a session cookie alone must not be enough); the browser then
 * asks the person to create the passkey with their fingerprint, face or PIN.
 */
export function AddPasskeyForm({ onAdded, onCancel }: AddPasskeyFormProps) {
  const [name, setName] = useState('');
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
      onAdded(await addPasskey(password, name.trim()));
    } catch (error) {
      setFailure(toApiError(error));
      setPassword('');
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Add a passkey">
      <p>Enter your password, then follow your browser’s prompt. Your other sessions are signed out.</p>
      <TextField
        id="passkey-name"
        label="Name"
        note="So you can tell your passkeys apart, for example “Work laptop”."
        messages={[]}
        name="passkey-name"
        value={name}
        maxLength={64}
        onChange={(event) => setName(event.target.value)}
        autoComplete="off"
      />
      <TextField
        id="passkey-password"
        label="Current password"
        messages={missing}
        name="password"
        type="password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        autoComplete="current-password"
      />
      {failure && <ErrorNotice error={failure} action="add a passkey" />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Waiting for your passkey…' : 'Create passkey'}
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
