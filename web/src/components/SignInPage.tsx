import { type FormEvent, useEffect, useState } from 'react';
import { signIn } from '../api/account.ts';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { clearSignInArrival, readSignInArrival } from '../api/providers.ts';
import type { User } from '../api/types.ts';
import type { PageId } from '../pages.ts';
import { AppLink } from './AppLink.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PasskeySignIn } from './PasskeySignIn.tsx';
import { ProviderRefusal, ProviderSignIn } from './ProviderSignIn.tsx';
import { SecondFactorForm } from './SecondFactorForm.tsx';
import { SsoSignInForm } from './SsoSignInForm.tsx';
import { TextField } from './TextField.tsx';

interface SignInPageProps {
  /** Why the last session ended, when the server stopped accepting it mid-use. */
  endedBy: ApiError | undefined;
  onSignedIn(user: User): void;
  onOpen(id: PageId): void;
}

export function SignInPage({ endedBy, onSignedIn, onOpen }: SignInPageProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ email: string[]; password: string[] }>({ email: [], password: [] });
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [signingIn, setSigningIn] = useState(false);
  // A provider's sign-in (IDN-03) lands here with a refusal code, or owing its second factor.
  const [arrival] = useState(readSignInArrival);
  /** The second factors offered once the password was accepted; undefined while on the password step. */
  const [secondFactor, setSecondFactor] = useState<readonly string[] | undefined>(arrival.secondFactor);
  useEffect(clearSignInArrival, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = {
      email: email.trim() ? [] : ['Enter the email address of your account.'],
      password: password ? [] : ['Enter your password.'],
    };
    setMissing(found);
    setFailure(undefined);
    if (found.email.length > 0 || found.password.length > 0) return;
    setSigningIn(true);
    try {
      const result = await signIn(email.trim(), password);
      if (result.state === 'signed-in') onSignedIn(result.user);
      else {
        setSecondFactor(result.methods);
        setSigningIn(false);
      }
    } catch (error) {
      setFailure(toApiError(error));
      setPassword('');
      setSigningIn(false);
    }
  }

  return (
    <main className="connect" aria-labelledby="sign-in-heading">
      <section className="card connect-card">
        <h1 id="sign-in-heading">Sign in to Enclave</h1>
        {endedBy && <ErrorNotice error={endedBy} heading="Your session ended" />}
        {arrival.error && <ProviderRefusal code={arrival.error} />}
        {secondFactor ? (
          <SecondFactorForm methods={secondFactor} onSignedIn={onSignedIn} onCancel={() => setSecondFactor(undefined)} />
        ) : (
          <form className="form" onSubmit={submit} noValidate>
            <TextField
              id="sign-in-email"
              label="Email address"
              messages={missing.email}
              name="email"
              type="email"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              autoComplete="username"
            />
            <TextField
              id="sign-in-password"
              label="Password"
              messages={missing.password}
              name="password"
              type="password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              autoComplete="current-password"
            />
            <p className="form-status">
              <AppLink to="forgot-password" onOpen={onOpen}>
                Forgot password?
              </AppLink>
              {' · '}
              <AppLink to="sign-in-link" onOpen={onOpen}>
                Email me a sign-in link
              </AppLink>
            </p>
            {failure && <ErrorNotice error={failure} action="sign in" />}
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={signingIn}>
                {signingIn ? 'Signing in…' : 'Sign in'}
              </button>
              <p className="form-status">
                New here?{' '}
                <AppLink to="sign-up" onOpen={onOpen}>
                  Create an account
                </AppLink>
              </p>
            </div>
          </form>
        )}
        {!secondFactor && <PasskeySignIn onSignedIn={onSignedIn} />}
        {!secondFactor && <ProviderSignIn />}
        {!secondFactor && <SsoSignInForm />}
        <p className="connect-alternative">
          Automating a workspace?{' '}
          <AppLink to="connect" onOpen={onOpen}>
            Connect with an API key instead
          </AppLink>
        </p>
      </section>
    </main>
  );
}
