import { type FormEvent, useEffect, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { type ConsentDecision, type ConsentDetails, consentDetails, decideConsent } from '../api/oauth-consent.ts';
import { useDocumentTitle } from '../pages.ts';
import { signInReturningTo } from '../return-path.ts';
import { ConsentClient } from './ConsentClient.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Field } from './Field.tsx';
import { ScopeChoices } from './ScopeChoices.tsx';
import '../styles/ai-clients.css';

type Loaded = { state: 'loading' } | { state: 'signing-in' } | { state: 'loaded'; details: ConsentDetails } | { state: 'failed'; error: ApiError };

interface ConsentPageProps {
  uid: string;
}

/**
 * The OAuth consent screen (AIC-02, AIC-07): the authorization endpoint sends the browser here,
 * the person picks the workspace and the scopes, and the server's answer says where to go next.
 */
export function ConsentPage({ uid }: ConsentPageProps) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  useDocumentTitle('Allow an AI client');

  useEffect(() => {
    let current = true;
    consentDetails(uid).then(
      (details) => {
        if (current) setLoaded({ state: 'loaded', details });
      },
      (error: unknown) => {
        if (!current) return;
        const failure = toApiError(error);
        if (failure.status === 401) {
          // Signing in comes back to this very screen, whose interaction is still waiting on the server.
          setLoaded({ state: 'signing-in' });
          window.location.assign(signInReturningTo(window.location.pathname));
        } else setLoaded({ state: 'failed', error: failure });
      },
    );
    return () => {
      current = false;
    };
  }, [uid]);

  return (
    <main className="connect" aria-labelledby="consent-heading">
      <section className="card connect-card consent-card">
        <h1 id="consent-heading">Allow an AI client</h1>
        {loaded.state === 'loading' && <p className="muted">Loading the request…</p>}
        {loaded.state === 'signing-in' && <p className="muted">Sign in first; you come back here afterwards.</p>}
        {loaded.state === 'failed' && <ConsentFailure error={loaded.error} />}
        {loaded.state === 'loaded' && <ConsentForm uid={uid} details={loaded.details} />}
      </section>
    </main>
  );
}

function ConsentFailure({ error }: { error: ApiError }) {
  if (error.code === 'interaction_not_found') {
    return (
      <div className="notice notice-error" role="alert">
        <p className="notice-heading">This request has expired</p>
        <p>
          It was answered already, or waited too long. Go back to your AI client and connect again; it opens a fresh
          request.
        </p>
      </div>
    );
  }
  return <ErrorNotice error={error} action="answer this request" />;
}

interface ConsentFormProps {
  uid: string;
  details: ConsentDetails;
}

function ConsentForm({ uid, details }: ConsentFormProps) {
  const [workspaceId, setWorkspaceId] = useState(details.workspaces[0]?.id ?? '');
  // Everything the client asked for, until the person unticks some of it.
  const [scopes, setScopes] = useState(() => details.scopes.map((scope) => scope.name));
  const [noScope, setNoScope] = useState(false);
  const [busy, setBusy] = useState<ConsentDecision['decision'] | undefined>();
  const [failure, setFailure] = useState<ApiError | undefined>();
  const workspace = details.workspaces.find((candidate) => candidate.id === workspaceId);

  async function answer(decision: ConsentDecision) {
    setBusy(decision.decision);
    setFailure(undefined);
    try {
      const { redirectTo } = await decideConsent(uid, decision);
      window.location.assign(redirectTo);
    } catch (error) {
      const failure = toApiError(error);
      // The session ended while the screen was open: sign in again and come back to decide.
      if (failure.status === 401) window.location.assign(signInReturningTo(window.location.pathname));
      else {
        setFailure(failure);
        setBusy(undefined);
      }
    }
  }

  function allow(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setNoScope(scopes.length === 0);
    if (scopes.length === 0 || workspace === undefined) return;
    void answer({ decision: 'allow', workspaceId: workspace.id, scopes });
  }

  return (
    <>
      <ConsentClient details={details} />
      <form className="form" onSubmit={allow} noValidate aria-label="Your decision">
        {details.workspaces.length === 0 ? (
          <p className="notice notice-warning">You are not a member of any workspace, so there is nothing to connect it to.</p>
        ) : details.workspaces.length === 1 && workspace ? (
          <dl className="facts consent-facts">
            <div>
              <dt>Workspace</dt>
              <dd>
                {workspace.name} <span className="muted">(your role: {workspace.role})</span>
              </dd>
            </div>
          </dl>
        ) : (
          <Field
            id="consent-workspace"
            label="Workspace"
            note={workspace && <>Your role there: {workspace.role}. The client can do no more than your role allows.</>}
            messages={[]}
          >
            {(control) => (
              <select {...control} name="workspace" value={workspaceId} onChange={(event) => setWorkspaceId(event.target.value)}>
                {details.workspaces.map((choice) => (
                  <option key={choice.id} value={choice.id}>
                    {choice.name} ({choice.role})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <ScopeChoices
          id="consent-scopes"
          legend="Allow it to"
          scopes={details.scopes}
          chosen={scopes}
          onChange={setScopes}
          messages={noScope ? ['Tick at least one thing the client may do, or deny the request.'] : []}
        />
        {failure && (failure.code === 'interaction_not_found' ? <ConsentFailure error={failure} /> : <ErrorNotice error={failure} action="answer this request" />)}
        <div className="form-actions consent-decision">
          <button type="submit" className="button button-primary" disabled={busy !== undefined || workspace === undefined}>
            {busy === 'allow' ? 'Allowing…' : 'Allow'}
          </button>
          <button type="button" className="button" disabled={busy !== undefined} onClick={() => void answer({ decision: 'deny' })}>
            {busy === 'deny' ? 'Denying…' : 'Deny'}
          </button>
        </div>
      </form>
    </>
  );
}
