import { type FormEvent, useState } from 'react';
import { verifySecondFactor } from '../api/account.ts';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { User } from '../api/types.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { TextField } from './TextField.tsx';

interface SecondFactorFormProps {
  onSignedIn(user: User): void;
  onCancel(): void;
}

/** The second step of a sign-in for an account protected by an authenticator app or backup codes. */
export function SecondFactorForm({ onSignedIn, onCancel }: SecondFactorFormProps) {
  const [code, setCode] = useState('');
  const [missing, setMissing] = useState<string[]>([]);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [verifying, setVerifying] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = code.replace(/\s+/g, '');
    setMissing(trimmed ? [] : ['Enter the code from your authenticator app, or a backup code.']);
    setFailure(undefined);
    if (!trimmed) return;
    setVerifying(true);
    try {
      onSignedIn(await verifySecondFactor(trimmed));
    } catch (error) {
      setFailure(toApiError(error));
      setCode('');
      setVerifying(false);
    }
  }

  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="second-factor-heading">
      <h2 id="second-factor-heading">Enter your verification code</h2>
      <p className="muted">Your password was accepted. This account also asks for a code from your authenticator app.</p>
      <TextField
        id="second-factor-code"
        label="Verification code"
        messages={missing}
        name="code"
        className="input-mono"
        value={code}
        onChange={(event) => setCode(event.target.value)}
        inputMode="numeric"
        autoComplete="one-time-code"
        spellCheck={false}
        // The code field is the only thing to do on this step, so the cursor goes straight there.
        autoFocus
      />
      {failure && <ErrorNotice error={failure} action="verify the code" />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={verifying}>
          {verifying ? 'Verifying…' : 'Verify'}
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel} disabled={verifying}>
          Start over
        </button>
      </div>
    </form>
  );
}
