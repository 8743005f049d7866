import { useCallback, useState } from 'react';
import { disableTotp, enrollTotp, mfaStatus, regenerateBackupCodes, type TotpEnrollment } from '../api/mfa.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { plural } from '../plural.ts';
import '../styles/mfa.css';
import { BackupCodesNotice } from './BackupCodesNotice.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PasswordPrompt } from './PasswordPrompt.tsx';
import { TotpSetup } from './TotpSetup.tsx';

interface TwoFactorSectionProps {
  /** A workspace requires two-factor authentication of this person (IDN-05): enrolment starts at once. */
  required: boolean;
  /** Two-factor authentication was just turned on. */
  onEnabled(): void;
}

type Purpose = 'enroll' | 'regenerate' | 'disable';

type Step =
  | { kind: 'overview' }
  | { kind: 'password'; purpose: Purpose }
  | { kind: 'scan'; enrollment: TotpEnrollment }
  | { kind: 'codes'; codes: string[]; reason: string };

const PROMPTS: Record<Purpose, { explanation: string; submitLabel: string; busyLabel: string; action: string; danger?: boolean }> = {
  enroll: {
    explanation: 'Enter your password to start. Next you scan a QR code with an authenticator app on your phone.',
    submitLabel: 'Continue',
    busyLabel: 'Checking…',
    action: 'start setting up an authenticator',
  },
  regenerate: {
    explanation: 'New backup codes replace every old one at once, and your other sessions are signed out.',
    submitLabel: 'Create new backup codes',
    busyLabel: 'Creating…',
    action: 'create new backup codes',
  },
  disable: {
    explanation:
      'Without it your password alone protects this account, and workspaces that require two-factor authentication stop letting you in. Your other sessions are signed out.',
    submitLabel: 'Turn off two-factor authentication',
    busyLabel: 'Turning off…',
    action: 'turn off two-factor authentication',
    danger: true,
  },
};

/** The Security page's two-factor authentication: an authenticator app (TOTP) with backup codes (IDN-04). */
export function TwoFactorSection({ required, onEnabled }: TwoFactorSectionProps) {
  const status = useApiQuery(useCallback(() => mfaStatus(), []));
  const [step, setStep] = useState<Step>({ kind: 'overview' });
  // A required enrolment opens by itself, once; Cancel leaves the overview in place.
  const [autoStart, setAutoStart] = useState(required);
  const [done, setDone] = useState<string | undefined>();
  const enabled = status.result.state === 'loaded' && status.result.value.totp;
  const shown: Step =
    step.kind === 'overview' && autoStart && status.result.state === 'loaded' && !enabled ? { kind: 'password', purpose: 'enroll' } : step;

  const back = () => {
    setAutoStart(false);
    setStep({ kind: 'overview' });
  };

  async function withPassword(purpose: Purpose, password: string) {
    setDone(undefined);
    if (purpose === 'enroll') {
      setStep({ kind: 'scan', enrollment: await enrollTotp(password) });
    } else if (purpose === 'regenerate') {
      setStep({ kind: 'codes', codes: await regenerateBackupCodes(password), reason: 'Your old backup codes no longer work.' });
      status.reload();
    } else {
      await disableTotp(password);
      back();
      setDone('Two-factor authentication is off.');
      status.reload();
    }
  }

  return (
    <section className="card" aria-labelledby="two-factor-heading">
      <div className="card-heading">
        <h2 id="two-factor-heading">Two-factor authentication</h2>
        {status.result.state === 'loaded' &&
          (enabled ? <span className="badge badge-success">on</span> : <span className="badge badge-neutral">off</span>)}
      </div>
      <p className="form-status" role="status">
        {done}
      </p>
      {status.result.state === 'loading' && <p className="muted">Loading…</p>}
      {status.result.state === 'failed' && <ErrorNotice error={status.result.error} action="read your two-factor settings" />}
      {status.result.state === 'loaded' && shown.kind === 'overview' && (
        <>
          {enabled ? (
            <>
              <p>
                Each sign-in asks for a code from your authenticator app after your password. Without the app, use a backup code
                or have a code mailed to you.
              </p>
              <p className={status.result.value.backupCodesRemaining <= 3 ? 'notice notice-warning' : 'muted'}>
                {plural(status.result.value.backupCodesRemaining, 'unused backup code')} left.
              </p>
              <div className="form-actions">
                <button type="button" className="button" onClick={() => setStep({ kind: 'password', purpose: 'regenerate' })}>
                  New backup codes
                </button>
                <button type="button" className="button button-quiet" onClick={() => setStep({ kind: 'password', purpose: 'disable' })}>
                  Turn off
                </button>
              </div>
            </>
          ) : (
            <>
              <p>
                Add a second step to every sign-in: a code from an authenticator app on your phone, so a stolen password alone
                is not enough.
              </p>
              <div className="form-actions">
                <button type="button" className="button button-primary" onClick={() => setStep({ kind: 'password', purpose: 'enroll' })}>
                  Set up an authenticator app
                </button>
              </div>
            </>
          )}
        </>
      )}
      {shown.kind === 'password' && (
        <PasswordPrompt
          id={`two-factor-password-${shown.purpose}`}
          {...PROMPTS[shown.purpose]}
          onSubmit={(password) => withPassword(shown.purpose, password)}
          onCancel={back}
        />
      )}
      {shown.kind === 'scan' && (
        <TotpSetup
          enrollment={shown.enrollment}
          onConfirmed={(codes) => {
            setStep({ kind: 'codes', codes, reason: 'Two-factor authentication is on, and your other sessions were signed out.' });
            status.reload();
            onEnabled();
          }}
          onCancel={back}
        />
      )}
      {shown.kind === 'codes' && <BackupCodesNotice codes={shown.codes} reason={shown.reason} onDismiss={back} />}
    </section>
  );
}
