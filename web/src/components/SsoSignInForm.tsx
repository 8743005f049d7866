import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { startSso } from '../api/sso.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { TextField } from './TextField.tsx';

/**
 * "Sign in with SSO": the address's domain picks the organisation's identity provider, and
 * the browser goes there. A refused sign-in comes back as `/sign-in?error=…`, which the
 * sign-in page shows with the other providers' refusals (ProviderRefusal, SSO_REFUSALS).
 */
export function SsoSignInForm() {
  const [email, setEmail] = useState('');
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [leaving, setLeaving] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(undefined);
    setLeaving(true);
    try {
      window.location.assign(await startSso(email.trim()));
    } catch (error) {
      setFailure(toApiError(error));
      setLeaving(false);
    }
  }

  return (
    <section className="sso-sign-in" aria-labelledby="sso-heading">
      <h2 id="sso-heading">Sign in with SSO</h2>
      <form className="form" onSubmit={submit} noValidate>
        <TextField
          id="sso-email"
          label="Work email"
          note="If your organisation has set up single sign-on, you continue at its identity provider."
          messages={failure?.problemsWith('email') ?? []}
          name="email"
          type="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          autoComplete="username"
        />
        {failure && failure.code === 'sso_not_configured' ? (
          <p className="muted" role="status">
            Single sign-on is not set up for that address. Sign in with your password above instead.
          </p>
        ) : (
          failure && <ErrorNotice error={failure} action="sign in with SSO" />
        )}
        <div className="form-actions">
          <button type="submit" className="button" disabled={leaving}>
            {leaving ? 'Continuing…' : 'Continue with SSO'}
          </button>
        </div>
      </form>
    </section>
  );
}
