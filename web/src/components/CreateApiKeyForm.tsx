import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import { type CreatedApiKey, ROLES, type Role } from '../api/types.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { TextField } from './TextField.tsx';

const FIELD_LABELS = { name: 'Name', role: 'Role', expiresAt: 'Expires on' };

interface CreateApiKeyFormProps {
  client: EnclaveClient;
  onCreated(created: CreatedApiKey): void;
}

/** A date picked in the form means "usable through that whole day", in UTC like every time the server keeps. */
function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59.999Z`).toISOString();
}

export function CreateApiKeyForm({ client, onCreated }: CreateApiKeyFormProps) {
  const [name, setName] = useState('');
  // Least privilege by default: a new key can only read until someone chooses more.
  const [role, setRole] = useState<Role>('viewer');
  const [expiresOn, setExpiresOn] = useState('');
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [creating, setCreating] = useState(false);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreating(true);
    setFailure(undefined);
    try {
      const created = await client.createApiKey({ name, role, ...(expiresOn ? { expiresAt: endOfDay(expiresOn) } : {}) });
      setName('');
      setExpiresOn('');
      onCreated(created);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setCreating(false);
    }
  }

  const nameProblems = failure?.problemsWith('name') ?? [];
  const expiryProblems = [
    ...(failure?.problemsWith('expiresAt') ?? []),
    ...(failure?.code === 'invalid_expiry' ? [failure.message] : []),
  ];

  return (
    <form className="form form-row" onSubmit={create} noValidate>
      <TextField
        id="new-key-name"
        label={FIELD_LABELS.name}
        messages={nameProblems}
        name="name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        placeholder="for example: nightly export"
        autoComplete="off"
      />
      <div className="field">
        <label htmlFor="new-key-role">{FIELD_LABELS.role}</label>
        <select id="new-key-role" name="role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
          {ROLES.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      </div>
      <TextField
        id="new-key-expires"
        label={
          <>
            {FIELD_LABELS.expiresAt} <span className="muted">(optional)</span>
          </>
        }
        messages={expiryProblems}
        name="expiresOn"
        type="date"
        value={expiresOn}
        onChange={(event) => setExpiresOn(event.target.value)}
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={creating}>
          {creating ? 'Creating…' : 'Create key'}
        </button>
      </div>
      {failure && <ErrorNotice error={failure} action="create API keys" fieldLabels={FIELD_LABELS} />}
    </form>
  );
}
