import { useState } from 'react';
import { endSession } from '../api/account.ts';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { SessionSummary } from '../api/types.ts';
import { describeDevice } from '../device.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Timestamp } from './Timestamp.tsx';

const COLUMNS = 6;

interface SessionRowProps {
  session: SessionSummary;
  onEnded(): void;
}

export function SessionRow({ session, onEnded }: SessionRowProps) {
  const [ending, setEnding] = useState(false);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const device = describeDevice(session.userAgent);

  async function end() {
    setEnding(true);
    setFailure(undefined);
    try {
      await endSession(session.id);
      onEnded();
    } catch (error) {
      setFailure(toApiError(error));
      setEnding(false);
    }
  }

  return (
    <>
      <tr data-session-id={session.id}>
        <th scope="row">
          <span title={session.userAgent ?? undefined}>{device}</span>
          {session.current && <span className="badge badge-info">this browser</span>}
        </th>
        <td>{session.ipAddress ?? <span className="muted">unknown</span>}</td>
        <td>
          <Timestamp at={session.createdAt} />
        </td>
        <td>
          <Timestamp at={session.lastSeenAt} />
        </td>
        <td>
          <Timestamp at={session.expiresAt} />
        </td>
        <td className="table-actions">
          <button type="button" className="button button-small" onClick={end} disabled={ending}>
            {ending ? 'Ending…' : session.current ? 'Sign out here' : 'End session'}
            <span className="visually-hidden"> on {device}</span>
          </button>
        </td>
      </tr>
      {failure && (
        <tr className="problem-row">
          <td colSpan={COLUMNS}>
            <ErrorNotice error={failure} action="end this session" />
          </td>
        </tr>
      )}
    </>
  );
}
