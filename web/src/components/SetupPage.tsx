import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { completeSetup } from '../api/setup.ts';
import type { Membership, User } from '../api/types.ts';
import type { PageId } from '../pages.ts';
import { AppLink } from './AppLink.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { localProblems, type Problems } from './SignUpPage.tsx';
import { TextField } from './TextField.tsx';

const FIELD_LABELS = { token: 'Setup token', name: 'Your name', email: 'Email address', password: 'Password', workspaceName: 'First workspace' };

interface SetupPageProps {
  onOpen(id: PageId): void;
  onDone(user: User, workspace: Membership): void;
}

type SetupProblems = Problems & { token: string[]; workspaceName: string[] };

/** First run: the person who can read the server's data directory creates the owner account. */
export function SetupPage({ onOpen, onDone }: SetupPageProps) {
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [workspaceName, setWorkspaceName] = useState('');
  const [problems, setProblems] = useState<SetupProblems>({ token: [], name: [], email: [], password: [], workspaceName: [] });
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [sending, setSending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: SetupProblems = {
      ...localProblems(name, email, password),
      token: token.trim() ? [] : ['Paste the token from the file the server named when it started.'],
      workspaceName: workspaceName.trim() ? [] : ['Name the first workspace, for example your company.'],
    };
    setProblems(found);
    setFailure(undefined);
    if (Object.values(found).some((messages) => messages.length > 0)) return;
    setSending(true);
    try {
      const done = await completeSetup({ token: token.trim(), name: name.trim(), email: email.trim(), password, workspaceName: workspaceName.trim() });
      onDone(done.user, done.workspace);
    } catch (error) {
      setFailure(toApiError(error));
      setSending(false);
    }
  }

  const shown = (field: keyof SetupProblems) => [...problems[field], ...(failure?.problemsWith(field) ?? [])];

  return (
    <main className="connect" aria-labelledby="setup-heading">
      <section className="card connect-card">
        <h1 id="setup-heading">Set up Enclave</h1>
        <p className="muted">
          This server has no accounts yet. Create the owner account and the first workspace. The setup token is in the file{' '}
          <code>control/setup-token</code> under the data directory, which only the server&apos;s operator can read; it works once.
        </p>
        <form className="form" onSubmit={submit} noValidate>
          <TextField id="setup-token" label={FIELD_LABELS.token} messages={shown('token')} name="token" value={token} onChange={(event) => setToken(event.target.value)} autoComplete="off" spellCheck={false} />
          <TextField id="setup-name" label={FIELD_LABELS.name} messages={shown('name')} name="name" value={name} onChange={(event) => setName(event.target.value)} autoComplete="name" />
          <TextField id="setup-email" label={FIELD_LABELS.email} messages={shown('email')} name="email" type="email" value={email} onChange={(event) => setEmail(event.target.value)} autoComplete="email" />
          <TextField
            id="setup-password"
            label={FIELD_LABELS.password}
            note="At least 12 characters. A passphrase of a few unrelated words is long and easy to remember."
            messages={shown('password')}
            name="password"
            type="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            autoComplete="new-password"
          />
          <TextField id="setup-workspace" label={FIELD_LABELS.workspaceName} messages={shown('workspaceName')} name="workspaceName" value={workspaceName} onChange={(event) => setWorkspaceName(event.target.value)} />
          {failure && <ErrorNotice error={failure} action="set up this server" fieldLabels={FIELD_LABELS} />}
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={sending}>
              {sending ? 'Setting up…' : 'Create owner account'}
            </button>
            <p className="form-status">
              <AppLink to="connect" onOpen={onOpen}>
                Connect with an API key instead
              </AppLink>
            </p>
          </div>
        </form>
      </section>
    </main>
  );
}
