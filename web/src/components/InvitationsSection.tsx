import { type FormEvent, useCallback, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import { type Invitation, ROLES, type Role } from '../api/types.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { plural } from '../plural.ts';
import { DataTable } from './DataTable.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { TextField } from './TextField.tsx';
import { Timestamp } from './Timestamp.tsx';

const FIELD_LABELS = { email: 'Email address', role: 'Role' };
const COLUMNS = 4;

interface InvitationsSectionProps {
  client: EnclaveClient;
}

/** For owners and admins: invite an address with a role, and see or revoke the invitations still pending. */
export function InvitationsSection({ client }: InvitationsSectionProps) {
  const invitations = useApiQuery(useCallback(() => client.invitations(), [client]));
  return (
    <>
      <section className="card" aria-labelledby="invite-heading">
        <h2 id="invite-heading">Invite someone</h2>
        <p className="muted">
          They get a link by mail. It works once, for a person signed in with that address, until it expires or you revoke it.
        </p>
        <InviteForm client={client} onInvited={invitations.reload} />
      </section>
      <section className="card" aria-labelledby="invitation-list-heading">
        <h2 id="invitation-list-heading">
          {invitations.result.state === 'loaded' ? plural(invitations.result.value.length, 'pending invitation') : 'Pending invitations'}
        </h2>
        {invitations.result.state === 'loading' && <p className="muted">Loading invitations…</p>}
        {invitations.result.state === 'failed' && <ErrorNotice error={invitations.result.error} action="see the invitations" />}
        {invitations.result.state === 'loaded' && invitations.result.value.length > 0 && (
          <DataTable columns={['Email', 'Role', 'Expires', '']}>
            {invitations.result.value.map((invitation) => (
              <InvitationRow key={invitation.id} client={client} invitation={invitation} onRevoked={invitations.reload} />
            ))}
          </DataTable>
        )}
      </section>
    </>
  );
}

function InviteForm({ client, onInvited }: { client: EnclaveClient; onInvited(): void }) {
  const [email, setEmail] = useState('');
  // Least privilege by default: an invitee can only read until someone chooses more.
  const [role, setRole] = useState<Role>('viewer');
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [sent, setSent] = useState<string | undefined>();
  const [sending, setSending] = useState(false);

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSending(true);
    setFailure(undefined);
    setSent(undefined);
    try {
      const invitation = await client.invite(email, role);
      setEmail('');
      setSent(invitation.email);
      onInvited();
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="form form-row" onSubmit={send} noValidate aria-label="Invite someone">
      <TextField
        id="invite-email"
        label={FIELD_LABELS.email}
        messages={failure?.problemsWith('email') ?? []}
        name="email"
        type="email"
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        autoComplete="off"
      />
      <div className="field">
        <label htmlFor="invite-role">{FIELD_LABELS.role}</label>
        <select id="invite-role" name="role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
          {ROLES.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={sending}>
          {sending ? 'Inviting…' : 'Invite'}
        </button>
      </div>
      {sent && (
        <p className="muted" role="status">
          Invitation sent to {sent}.
        </p>
      )}
      {failure && <ErrorNotice error={failure} action="invite people" fieldLabels={FIELD_LABELS} />}
    </form>
  );
}

function InvitationRow({ client, invitation, onRevoked }: { client: EnclaveClient; invitation: Invitation; onRevoked(): void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const confirmationId = `revoke-${invitation.id}`;

  async function revoke() {
    setBusy(true);
    setFailure(undefined);
    try {
      await client.revokeInvitation(invitation.id);
      onRevoked();
    } catch (error) {
      setFailure(toApiError(error));
      setBusy(false);
    }
  }

  return (
    <>
      <tr data-invitation-id={invitation.id}>
        <th scope="row">{invitation.email}</th>
        <td>{invitation.role}</td>
        <td>
          <Timestamp at={invitation.expiresAt} />
        </td>
        <td className="table-actions">
          <button
            type="button"
            className="button button-small"
            aria-expanded={confirming}
            aria-controls={confirmationId}
            disabled={busy}
            onClick={() => setConfirming(true)}
          >
            Revoke<span className="visually-hidden"> the invitation for {invitation.email}</span>
          </button>
        </td>
      </tr>
      {confirming && (
        <tr className="confirm-row">
          <td colSpan={COLUMNS}>
            <div id={confirmationId} className="confirm" role="group" aria-label={`Confirm revoking the invitation for ${invitation.email}`}>
              <p className="confirm-question">Revoke the invitation for {invitation.email}? Its link stops working at once.</p>
              <div className="confirm-actions">
                <button type="button" className="button button-small button-danger" disabled={busy} onClick={revoke}>
                  {busy ? 'Revoking…' : 'Revoke invitation'}
                </button>
                <button type="button" className="button button-small button-quiet" disabled={busy} onClick={() => setConfirming(false)} autoFocus>
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
            <ErrorNotice error={failure} action="revoke this invitation" />
          </td>
        </tr>
      )}
    </>
  );
}
