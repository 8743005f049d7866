import { type FormEvent, useState } from 'react';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../api/account.ts';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { completePasswordReset } from '../api/password-reset.ts';
import type { PageId } from '../pages.ts';
import { AppLink } from './AppLink.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PageHeading } from './PageHeading.tsx';
import { TextField } from './TextField.tsx';

/**
 * The token of a mailed reset link rides in the address's fragment, which the browser never
 * sends to a server. It is read once into memory and taken out of the address bar (and so
 * out of the history), never put in browser storage.
 */
function takeResetToken(): string | undefined {
  const token = /^#token=([A-Za-z0-9_-]{43})$/.exec(window.location.hash)?.[1];
  if (window.location.hash) window.history.replaceState(null, '', window.location.pathname);
  return token;
}

interface ResetPasswordPageProps {
  onOpen(id: PageId): void;
}

/** IDN-01: where a mailed reset link lands; the new password follows the sign-up rules. */
export function ResetPasswordPage({ onOpen }: ResetPasswordPageProps) {
  const [token] = useState(takeResetToken);
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [saving, setSaving] = useState(false);
  const [changed, setChanged] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found =
      password.length < PASSWORD_MIN_LENGTH
        ? [`Use at least ${PASSWORD_MIN_LENGTH} characters.`]
        : password.length > PASSWORD_MAX_LENGTH
          ? [`Use at most ${PASSWORD_MAX_LENGTH} characters.`]
          : [];
    setProblems(found);
    setFailure(undefined);
    if (found.length > 0 || !token) return;
    setSaving(true);
    try {
      await completePasswordReset(token, password);
      setChanged(true);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setPassword('');
      setSaving(false);
    }
  }

  return (
    <main className="connect" aria-labelledby={changed ? 'page-heading' : 'reset-password-heading'}>
      <section className="card connect-card">
        {changed ? (
          <>
            <PageHeading>Password changed</PageHeading>
            <p>Your new password works from now on. Every session of your account was signed out, on every device.</p>
            <div className="form-actions">
              <AppLink className="button button-primary" to="sign-in" onOpen={onOpen}>
                Sign in
              </AppLink>
            </div>
          </>
        ) : (
          <>
            <h1 id="reset-password-heading">Choose a new password</h1>
            {!token && (
              <p className="notice" role="status">
                This page needs the link from your reset email. Open the link again, or ask for a new one.
              </p>
            )}
            <form className="form" onSubmit={submit} noValidate>
              <TextField
                id="reset-password-password"
                label="New password"
                note={`${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters. A passphrase of a few unrelated words is long and easy to remember.`}
                messages={[...problems, ...(failure?.problemsWith('password') ?? [])]}
                name="password"
                type="password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                autoComplete="new-password"
              />
              {failure && <ErrorNotice error={failure} action="change the password" />}
              <div className="form-actions">
                <button type="submit" className="button button-primary" disabled={saving || !token}>
                  {saving ? 'Saving…' : 'Set new password'}
                </button>
                <p className="form-status">
                  Link not working?{' '}
                  <AppLink to="forgot-password" onOpen={onOpen}>
                    Ask for a new one
                  </AppLink>
                </p>
              </div>
            </form>
          </>
        )}
      </section>
    </main>
  );
}
