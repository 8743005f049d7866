import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { type Passkey, removePasskey, renamePasskey } from '../api/passkeys.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PasswordPrompt } from './PasswordPrompt.tsx';
import { Timestamp } from './Timestamp.tsx';

const COLUMNS = 4;

interface PasskeyRowProps {
  passkey: Passkey;
  onChanged(): void;
  onRemoved(): void;
}

type Mode = 'view' | 'rename' | 'remove';

/** One passkey in the Security page's list, renamed in place or removed after the password. */
export function PasskeyRow({ passkey, onChanged, onRemoved }: PasskeyRowProps) {
  const [mode, setMode] = useState<Mode>('view');
  const [name, setName] = useState(passkey.name);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  async function rename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(undefined);
    setBusy(true);
    try {
      await renamePasskey(passkey.id, name.trim());
      setMode('view');
      onChanged();
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setBusy(false);
    }
  }

  const close = () => {
    setMode('view');
    setName(passkey.name);
    setFailure(undefined);
  };

  return (
    <>
      <tr data-passkey-id={passkey.id}>
        <th scope="row">
          {mode === 'rename' ? (
            <form className="passkey-rename" onSubmit={rename} aria-label={`Rename ${passkey.name}`}>
              <label className="visually-hidden" htmlFor={`passkey-name-${passkey.id}`}>
                New name
              </label>
              <input id={`passkey-name-${passkey.id}`} value={name} maxLength={64} onChange={(event) => setName(event.target.value)} autoFocus />
              <button type="submit" className="button button-small" disabled={busy || name.trim() === ''}>
                Save
              </button>
              <button type="button" className="button button-small button-quiet" onClick={close} disabled={busy}>
                Cancel
              </button>
            </form>
          ) : (
            <>
              {passkey.name}
              {passkey.backedUp && <span className="badge badge-info">synced</span>}
            </>
          )}
        </th>
        <td>
          <Timestamp at={passkey.createdAt} />
        </td>
        <td>
          <Timestamp at={passkey.lastUsedAt} absent="never" />
        </td>
        <td className="table-actions">
          <button type="button" className="button button-small" onClick={() => {
              setName(passkey.name);
              setMode('rename');
            }} disabled={mode !== 'view'}>
            Rename<span className="visually-hidden"> {passkey.name}</span>
          </button>
          <button type="button" className="button button-small" onClick={() => setMode('remove')} disabled={mode !== 'view'}>
            Remove<span className="visually-hidden"> {passkey.name}</span>
          </button>
        </td>
      </tr>
      {(mode === 'remove' || failure) && (
        <tr className="problem-row">
          <td colSpan={COLUMNS}>
            {failure && <ErrorNotice error={failure} action="rename this passkey" />}
            {mode === 'remove' && (
              <PasswordPrompt
                id={`passkey-remove-${passkey.id}`}
                explanation={`“${passkey.name}” will no longer sign you in, and your other sessions are signed out.`}
                submitLabel="Remove passkey"
                busyLabel="Removing…"
                action="remove this passkey"
                danger
                onSubmit={async (password) => {
                  await removePasskey(passkey.id, password);
                  onRemoved();
                }}
                onCancel={close}
              />
            )}
          </td>
        </tr>
      )}
    </>
  );
}
