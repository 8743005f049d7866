import { useCallback, useState } from 'react';
import { endOtherSessions, sessions as listSessions } from '../api/account.ts';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { User } from '../api/types.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { plural } from '../plural.ts';
import { DataTable } from './DataTable.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { type MfaRequirement, MfaRequiredNotice } from './MfaRequiredNotice.tsx';
import { PageHeading } from './PageHeading.tsx';
import { PasskeysSection } from './PasskeysSection.tsx';
import { SessionRow } from './SessionRow.tsx';
import { Timestamp } from './Timestamp.tsx';
import { TwoFactorSection } from './TwoFactorSection.tsx';

interface SecurityPageProps {
  user: User;
  /** Ending the current session from its row signs this browser out. */
  onSignedOut(): void;
  /** Set when a workspace stopped this person for want of two-factor authentication (IDN-05). */
  mfaRequirement?: MfaRequirement | undefined;
}

export function SecurityPage({ user, onSignedOut, mfaRequirement }: SecurityPageProps) {
  const sessions = useApiQuery(useCallback(() => listSessions(), []));
  const [endingOthers, setEndingOthers] = useState(false);
  const [endedCount, setEndedCount] = useState<number | undefined>();
  const [failure, setFailure] = useState<ApiError | undefined>();
  const others = sessions.result.state === 'loaded' ? sessions.result.value.filter((session) => !session.current) : [];

  async function endOthers() {
    setEndingOthers(true);
    setFailure(undefined);
    setEndedCount(undefined);
    try {
      setEndedCount(await endOtherSessions());
      sessions.reload();
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setEndingOthers(false);
    }
  }

  return (
    <main className="workspace page" aria-labelledby="page-heading">
      <PageHeading description="Your account and every browser or device that is signed in to it.">Security</PageHeading>
      {mfaRequirement && <MfaRequiredNotice requirement={mfaRequirement} />}
      <section className="card" aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <dl className="facts">
          <div>
            <dt>Name</dt>
            <dd>{user.name}</dd>
          </div>
          <div>
            <dt>Email address</dt>
            <dd>
              {user.email}
              {user.emailVerified && <span className="badge badge-success">verified</span>}
            </dd>
          </div>
          <div>
            <dt>Account created</dt>
            <dd>
              <Timestamp at={user.createdAt} />
            </dd>
          </div>
        </dl>
      </section>
      <TwoFactorSection required={mfaRequirement !== undefined} onEnabled={() => mfaRequirement?.onEnabled()} />
      <PasskeysSection onOtherSessionsEnded={sessions.reload} />
      <section className="card" aria-labelledby="sessions-heading">
        <div className="card-heading">
          <h2 id="sessions-heading">Active sessions</h2>
          <button type="button" className="button button-small" onClick={endOthers} disabled={endingOthers || others.length === 0}>
            {endingOthers ? 'Ending…' : 'End all other sessions'}
          </button>
        </div>
        <p className="muted">
          Anything you do not recognise? End it, then change your password. An ended session stops working at its next
          request.
        </p>
        <p className="form-status" role="status">
          {endedCount !== undefined && `Ended ${plural(endedCount, 'other session')}.`}
        </p>
        {failure && <ErrorNotice error={failure} action="end your other sessions" />}
        {sessions.result.state === 'loading' && <p className="muted">Loading sessions…</p>}
        {sessions.result.state === 'failed' && <ErrorNotice error={sessions.result.error} action="list your sessions" />}
        {sessions.result.state === 'loaded' && (
          <DataTable columns={['Device', 'IP address', 'Signed in', 'Last seen', 'Expires']}>
            {/* This browser first: it is the one a person looks for to get their bearings. */}
            {sessions.result.value.toSorted((a, b) => Number(b.current) - Number(a.current)).map((session) => (
              <SessionRow key={session.id} session={session} onEnded={session.current ? onSignedOut : sessions.reload} />
            ))}
          </DataTable>
        )}
      </section>
    </main>
  );
}
