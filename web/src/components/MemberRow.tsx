import { useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import { type Member, ROLES, type Role } from '../api/types.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Timestamp } from './Timestamp.tsx';

const COLUMNS = 4;

interface MemberRowProps {
  client: EnclaveClient;
  member: Member;
  isYou: boolean;
  canManage: boolean;
  onChanged(): void;
}

/** One member; a refusal (the last owner, a role only owners may give) appears in a row right under it. */
export function MemberRow({ client, member, isYou, canManage, onChanged }: MemberRowProps) {
  const [role, setRole] = useState<Role>(member.role);
  const [busy, setBusy] = useState(false);
  const [confirmingRemoval, setConfirmingRemoval] = useState(false);
  const [failure, setFailure] = useState<{ error: ApiError; action: string } | undefined>();
  const confirmationId = `remove-${member.userId}`;

  async function act(action: string, change: () => Promise<unknown>) {
    setBusy(true);
    setFailure(undefined);
    try {
      await change();
      setConfirmingRemoval(false);
      onChanged();
    } catch (error) {
      setFailure({ error: toApiError(error), action });
      setRole(member.role);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <tr data-user-id={member.userId}>
        <th scope="row">
          {member.name}
          {isYou && <span className="badge badge-info">you</span>}
          <span className="table-note">{member.email}</span>
        </th>
        <td>
          {canManage ? (
            <div className="inline-control">
              <label htmlFor={`role-${member.userId}`} className="visually-hidden">
                Role of {member.name}
              </label>
              <select
                id={`role-${member.userId}`}
                className="select-small"
                value={role}
                disabled={busy}
                onChange={(event) => setRole(event.target.value as Role)}
              >
                {ROLES.map((choice) => (
                  <option key={choice} value={choice}>
                    {choice}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="button button-small"
                disabled={busy || role === member.role}
                onClick={() => act('change this role', () => client.changeRole(member.userId, role))}
              >
                Change role<span className="visually-hidden"> of {member.name}</span>
              </button>
            </div>
          ) : (
            member.role
          )}
        </td>
        <td>
          <Timestamp at={member.createdAt} />
        </td>
        <td className="table-actions">
          {canManage && (
            <button
              type="button"
              className="button button-small"
              aria-expanded={confirmingRemoval}
              aria-controls={confirmationId}
              disabled={busy}
              onClick={() => setConfirmingRemoval(true)}
            >
              Remove<span className="visually-hidden"> {member.name}</span>
            </button>
          )}
        </td>
      </tr>
      {confirmingRemoval && (
        <tr className="confirm-row">
          <td colSpan={COLUMNS}>
            <div id={confirmationId} className="confirm" role="group" aria-label={`Confirm removing ${member.name}`}>
              <p className="confirm-question">
                Remove {member.name} from this workspace? {isYou ? 'You' : 'They'} lose access at the next request.
              </p>
              <div className="confirm-actions">
                <button
                  type="button"
                  className="button button-small button-danger"
                  disabled={busy}
                  onClick={() => act('remove this member', () => client.removeMember(member.userId))}
                >
                  {busy ? 'Removing…' : 'Remove member'}
                </button>
                <button
                  type="button"
                  className="button button-small button-quiet"
                  disabled={busy}
                  onClick={() => setConfirmingRemoval(false)}
                  // The safe choice takes focus, so a stray Enter removes nobody.
                  autoFocus
                >
                  Cancel
                </button>
              </div>
            </div>
          </td>
        </tr>
      )}
      {failure && (
        <tr className="problem-row">
          <td colSpan={COLUMNS}>
            <ErrorNotice error={failure.error} action={failure.action} />
          </td>
        </tr>
      )}
    </>
  );
}
