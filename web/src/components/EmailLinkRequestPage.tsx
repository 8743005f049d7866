import { type FormEvent, type ReactNode, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { PageId } from '../pages.ts';
import { AppLink } from './AppLink.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PageHeading } from './PageHeading.tsx';
import { ProofOfWorkField } from './ProofOfWorkField.tsx';
import { TextField } from './TextField.tsx';

interface EmailLinkRequestPageProps {
  id: string;
  heading: string;
  intro: ReactNode;
  buttonLabel: string;
  /** What the person tried, for the error notice ("send a reset link"). */
  action: string;
  /** The answer, the same for every address: the server never says whether one has an account. */
  sent(email: string): ReactNode;
  send(email: string, altcha: string): Promise<void>;
  onOpen(id: PageId): void;
}

/**
 * A public form that asks the server to mail a link to an address (sign-in link, password
 * reset). WEB-06: it carries the widget's proof-of-work solution; each request spends it,
 * and a new widget solves the next.
 */
export function EmailLinkRequestPage({ id, heading, intro, buttonLabel, action, sent, send, onOpen }: EmailLinkRequestPageProps) {
  const [email, setEmail] = useState('');
  const [missing, setMissing] = useState<string[]>([]);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [sending, setSending] = useState(false);
  const [sentTo, setSentTo] = useState<string | undefined>();
  const [altcha, setAltcha] = useState<string | undefined>();
  const [attempt, setAttempt] = useState(0);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = /^\S+@\S+$/.test(email.trim()) ? [] : ['Enter the email address of your account.'];
    setMissing(found);
    setFailure(undefined);
    if (found.length > 0 || !altcha) return;
    setSending(true);
    try {
      await send(email.trim(), altcha);
      setSentTo(email.trim());
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setSending(false);
      setAttempt((count) => count + 1);
    }
  }

  return (
    <main className="connect" aria-labelledby={sentTo ? 'page-heading' : `${id}-heading`}>
      <section className="card connect-card">
        {sentTo ? (
          <>
            <PageHeading>Check your email</PageHeading>
            <p>{sent(sentTo)}</p>
            <p className="muted">Nothing arrived? Check your spam folder, or ask the person who runs this Enclave.</p>
            <div className="form-actions">
              <AppLink className="button button-primary" to="sign-in" onOpen={onOpen}>
                Back to sign in
              </AppLink>
            </div>
          </>
        ) : (
          <>
            <h1 id={`${id}-heading`}>{heading}</h1>
            <p className="muted">{intro}</p>
            <form className="form" onSubmit={submit} noValidate>
              <TextField
                id={`${id}-email`}
                label="Email address"
                messages={[...missing, ...(failure?.problemsWith('email') ?? [])]}
                name="email"
                type="email"
                value={email}
                onChange={(event) => setEmail(event.target.value)}
                autoComplete="username"
              />
              {failure && <ErrorNotice error={failure} action={action} />}
              <ProofOfWorkField key={attempt} onSolved={setAltcha} />
              <div className="form-actions">
                <button type="submit" className="button button-primary" disabled={sending || !altcha}>
                  {sending ? 'Sending…' : buttonLabel}
                </button>
                <p className="form-status">
                  <AppLink to="sign-in" onOpen={onOpen}>
                    Sign in with your password
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
