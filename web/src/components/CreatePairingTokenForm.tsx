import { type FormEvent, useState } from 'react';
import { createPairingToken, type CreatedPairingToken } from '../api/agents.ts';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { TextField } from './TextField.tsx';

const FIELD_LABELS = { name: 'Name' };

interface CreatePairingTokenFormProps {
  client: EnclaveClient;
  onCreated(created: CreatedPairingToken): void;
}

export function CreatePairingTokenForm({ client, onCreated }: CreatePairingTokenFormProps) {
  const [name, setName] = useState('');
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [creating, setCreating] = useState(false);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreating(true);
    setFailure(undefined);
    try {
      const created = await createPairingToken(client, name.trim() === '' ? undefined : name);
      setName('');
      onCreated(created);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setCreating(false);
    }
  }

  return (
    <form className="form form-row" onSubmit={create} noValidate>
      <TextField
        id="new-pairing-token-name"
        label={
          <>
            {FIELD_LABELS.name} <span className="muted">(optional)</span>
          </>
        }
        messages={failure?.problemsWith('name') ?? []}
        name="name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        placeholder="for example: accounting PC"
        autoComplete="off"
        maxLength={100}
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={creating}>
          {creating ? 'Creating…' : 'Create pairing token'}
        </button>
      </div>
      {failure && <ErrorNotice error={failure} action="pair agents" fieldLabels={FIELD_LABELS} />}
    </form>
  );
}
