import { type FormEvent, useState } from 'react';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, signUp } from '../api/account.ts';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { PageId } from '../pages.ts';
import { AppLink } from './AppLink.tsx';
import { CheckEmailNotice } from './CheckEmailNotice.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { ProofOfWorkField } from './ProofOfWorkField.tsx';
import { TextField } from './TextField.tsx';

const FIELD_LABELS = { name: 'Your name', email: 'Email address', password: 'Password' };

interface SignUpPageProps {
  onOpen(id: PageId): void;
}

export type Problems = Record<keyof typeof FIELD_LABELS, string[]>;

/** The same rules the server applies, so most mistakes are caught before a request is spent. */
export function localProblems(name: string, email: string, password: string): Problems {
  return {
    name: name.trim() ? [] : ['Enter your name as colleagues should see it.'],
    email: /^\S+@\S+$/.test(email.trim()) ? [] : ['Enter an email address, such as ada@example.com.'],
    password:
      password.length < PASSWORD_MIN_LENGTH
        ? [`Use at least ${PASSWORD_MIN_LENGTH} characters.`]
        : password.length > PASSWORD_MAX_LENGTH
          ? [`Use at most ${PASSWORD_MAX_LENGTH} characters.`]
          : [],
  };
}

export function SignUpPage({ onOpen }: SignUpPageProps) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<Problems>({ name: [], email: [], password: [] });
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [sending, setSending] = useState(false);
  const [sentTo, setSentTo] = useState<string | undefined>();
  // WEB-06: the widget's solution; each submission spends it, and a new widget solves the next.
  const [altcha, setAltcha] = useState<string | undefined>();
  const [attempt, setAttempt] = useState(0);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = localProblems(name, email, password);
    setProblems(found);
    setFailure(undefined);
    if (Object.values(found).some((messages) => messages.length > 0) || !altcha) return;
    setSending(true);
    try {
      await signUp({ name: name.trim(), email: email.trim(), password, altcha });
      setSentTo(email.trim());
      setPassword('');
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setSending(false);
      setAttempt((count) => count + 1);
    }
  }

  const shown = (field: keyof Problems) => [...problems[field], ...(failure?.problemsWith(field) ?? [])];

  return (
    <main className="connect" aria-labelledby={sentTo ? 'page-heading' : 'sign-up-heading'}>
      <section className="card connect-card">
        {sentTo ? (
          <CheckEmailNotice email={sentTo} onOpen={onOpen} />
        ) : (
          <>
            <h1 id="sign-up-heading">Create your Enclave account</h1>
            <form className="form" onSubmit={submit} noValidate>
              <TextField
                id="sign-up-name"
                label={FIELD_LABELS.name}
                messages={shown('name')}
                name="name"
                value={name}
                onChange={(event) => setName(event.target.value)}
                autoComplete="name"
              />
              <TextField
                id="sign-up-email"
                label={FIELD_LABELS.email}
                messages={shown('email')}
                name="email"
                type="email"
                value={email}
                onChange={(event) => setEmail(event.target.value)}
                autoComplete="email"
              />
              <TextField
                id="sign-up-password"
                label={FIELD_LABELS.password}
                note={`${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters. A passphrase of a few unrelated words is long and easy to remember.`}
                messages={shown('password')}
                name="password"
                type="password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                autoComplete="new-password"
              />
              {failure && <ErrorNotice error={failure} action="create an account" fieldLabels={FIELD_LABELS} />}
              <ProofOfWorkField key={attempt} onSolved={setAltcha} />
              <div className="form-actions">
                <button type="submit" className="button button-primary" disabled={sending || !altcha}>
                  {sending ? 'Creating…' : 'Create account'}
                </button>
                <p className="form-status">
                  Have an account?{' '}
                  <AppLink to="sign-in" onOpen={onOpen}>
                    Sign in
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
