import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { answerSecondFactor, sendEmailCode, type SecondFactorAnswer } from '../api/mfa.ts';
import type { User } from '../api/types.ts';
import '../styles/mfa.css';
import { ErrorNotice } from './ErrorNotice.tsx';
import { TextField } from './TextField.tsx';

interface SecondFactorFormProps {
  /** The second factors the server offered for this sign-in (`totp`, `backup_code`, `email_code`). */
  methods: readonly string[];
  onSignedIn(user: User): void;
  onCancel(): void;
}

type Mode = SecondFactorAnswer['kind'];

const FIELDS: Record<Mode, { label: string; note: string; missing: string; numeric: boolean }> = {
  app: {
    label: 'Verification code',
    note: 'The 6-digit code your authenticator app shows now.',
    missing: 'Enter the code from your authenticator app, or a backup code.',
    numeric: true,
  },
  backup: {
    label: 'Backup code',
    note: 'One of the codes you saved when you set up two-factor authentication. Each one works once.',
    missing: 'Enter one of your backup codes.',
    numeric: false,
  },
  email: {
    label: 'Code from the email',
    note: 'The 6-digit code in the mail just sent to the address of this account.',
    missing: 'Enter the 6-digit code from the email.',
    numeric: true,
  },
};

/** The second step of a sign-in: a code from the authenticator app, a backup code, or a code mailed on request. */
export function SecondFactorForm({ methods, onSignedIn, onCancel }: SecondFactorFormProps) {
  const [mode, setMode] = useState<Mode>('app');
  const [code, setCode] = useState('');
  const [missing, setMissing] = useState<string[]>([]);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState<'verifying' | 'sending' | undefined>();
  const [mailed, setMailed] = useState<string | undefined>();
  const field = FIELDS[mode];

  function switchTo(next: Mode) {
    setMode(next);
    setCode('');
    setMissing([]);
    setFailure(undefined);
    setMailed(undefined);
  }

  async function mailCode() {
    setBusy('sending');
    setFailure(undefined);
    try {
      const seconds = await sendEmailCode();
      switchTo('email');
      setMailed(`A code is on its way to your email address. It works once, for ${Math.round(seconds / 60) || 1} minutes.`);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setBusy(undefined);
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = mode === 'backup' ? code.trim() : code.replace(/\s+/g, '');
    setMissing(trimmed ? [] : [field.missing]);
    setFailure(undefined);
    if (!trimmed) return;
    setBusy('verifying');
    try {
      onSignedIn(await answerSecondFactor({ kind: mode, code: trimmed }));
    } catch (error) {
      setFailure(toApiError(error));
      setCode('');
      setBusy(undefined);
    }
  }

  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="second-factor-heading">
      <h2 id="second-factor-heading">Enter your verification code</h2>
      <p className="muted">Your password was accepted. This account also asks for a second step.</p>
      <p className="form-status" role="status">
        {mailed}
      </p>
      <TextField
        key={mode}
        id="second-factor-code"
        label={field.label}
        note={field.note}
        messages={missing}
        name="code"
        className="input-mono"
        value={code}
        onChange={(event) => setCode(event.target.value)}
        inputMode={field.numeric ? 'numeric' : 'text'}
        autoComplete="one-time-code"
        spellCheck={false}
        // The code field is the only thing to do on this step, so the cursor goes straight there.
        autoFocus
      />
      {failure && <ErrorNotice error={failure} action={busy === 'sending' ? 'mail a code' : 'verify the code'} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy !== undefined}>
          {busy === 'verifying' ? 'Verifying…' : 'Verify'}
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel} disabled={busy !== undefined}>
          Start over
        </button>
      </div>
      <div className="second-factor-choices" role="group" aria-label="Other ways to verify">
        {mode !== 'app' && (
          <button type="button" className="button button-small button-quiet" onClick={() => switchTo('app')} disabled={busy !== undefined}>
            Use the authenticator app
          </button>
        )}
        {mode !== 'backup' && methods.includes('backup_code') && (
          <button type="button" className="button button-small button-quiet" onClick={() => switchTo('backup')} disabled={busy !== undefined}>
            Use a backup code
          </button>
        )}
        {methods.includes('email_code') && (
          <button type="button" className="button button-small button-quiet" onClick={mailCode} disabled={busy !== undefined}>
            {busy === 'sending' ? 'Sending…' : mode === 'email' ? 'Email me another code' : 'Email me a code'}
          </button>
        )}
      </div>
    </form>
  );
}
