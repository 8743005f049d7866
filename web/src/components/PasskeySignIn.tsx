import { useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { signInWithPasskey } from '../api/passkeys.ts';
import type { User } from '../api/types.ts';
import '../styles/passkeys.css';
import { ErrorNotice } from './ErrorNotice.tsx';

interface PasskeySignInProps {
  onSignedIn(user: User): void;
}

/**
 * "Continue with a passkey" (IDN-07), worded like the providers' "Continue with …" below it:
 * no address to type, the browser offers the passkeys it holds for this site. A passkey
 * unlocked by fingerprint, face or PIN is both factors at once, so it signs in fully, with
 * no code asked for after it.
 */
export function PasskeySignIn({ onSignedIn }: PasskeySignInProps) {
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  async function signIn() {
    setFailure(undefined);
    setBusy(true);
    try {
      onSignedIn(await signInWithPasskey());
    } catch (error) {
      setFailure(toApiError(error));
      setBusy(false);
    }
  }

  return (
    <div className="passkey-sign-in">
      <button type="button" className="button" onClick={signIn} disabled={busy}>
        {busy ? 'Waiting for your passkey…' : 'Continue with a passkey'}
      </button>
      {failure && <ErrorNotice error={failure} action="sign in with a passkey" />}
    </div>
  );
}
