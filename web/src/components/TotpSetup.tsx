import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { confirmTotp, type TotpEnrollment } from '../api/mfa.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { OtpQrCode } from './OtpQrCode.tsx';
import { TextField } from './TextField.tsx';

interface TotpSetupProps {
  enrollment: TotpEnrollment;
  onConfirmed(backupCodes: string[]): void;
  onCancel(): void;
}

/** Groups of four, the way authenticator apps show a secret typed in by hand. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/** Scanning the QR code (or typing the secret), then one code from the app to prove it works. */
export function TotpSetup({ enrollment, onConfirmed, onCancel }: TotpSetupProps) {
  const [code, setCode] = useState('');
  const [missing, setMissing] = useState<string[]>([]);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [confirming, setConfirming] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const digits = code.replace(/\s+/g, '');
    setMissing(/^\d{6}$/.test(digits) ? [] : ['Enter the 6-digit code your app shows now.']);
    setFailure(undefined);
    if (!/^\d{6}$/.test(digits)) return;
    setConfirming(true);
    try {
      onConfirmed(await confirmTotp(digits));
    } catch (error) {
      setFailure(toApiError(error));
      setCode('');
      setConfirming(false);
    }
  }

  return (
    <div className="totp-setup">
      <ol className="steps">
        <li>
          <p>Scan this code with an authenticator app (for example 1Password, Aegis, Google Authenticator or FreeOTP).</p>
          <OtpQrCode uri={enrollment.otpauthUri} label="QR code for your authenticator app" />
        </li>
        <li>
          <p>Cannot scan? Add an account in the app by hand with this key (time-based, 6 digits, every 30 seconds):</p>
          <p className="secret-text">
            <code aria-label="Setup key">{grouped(enrollment.secret)}</code>
          </p>
        </li>
        <li>
          <form className="form" onSubmit={submit} noValidate aria-label="Confirm authenticator">
            <TextField
              id="totp-confirm-code"
              label="Code from the app"
              messages={missing}
              name="code"
              className="input-mono"
              value={code}
              onChange={(event) => setCode(event.target.value)}
              inputMode="numeric"
              autoComplete="one-time-code"
              spellCheck={false}
            />
            {failure && <ErrorNotice error={failure} action="confirm the authenticator" />}
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={confirming}>
                {confirming ? 'Checking…' : 'Turn on two-factor authentication'}
              </button>
              <button type="button" className="button button-quiet" onClick={onCancel} disabled={confirming}>
                Cancel
              </button>
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}
