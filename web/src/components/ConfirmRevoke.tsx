import { useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import type { ApiKey } from '../api/types.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

interface ConfirmRevokeProps {
  id: string;
  client: EnclaveClient;
  apiKey: ApiKey;
  /** The dashboard itself is connected with this key, so revoking it ends this session too. */
  inUse: boolean;
  onRevoked(): void;
  onCancel(): void;
}

/** Revoking is immediate and cannot be undone, so it takes a second, explicit click. */
export function ConfirmRevoke({ id, client, apiKey, inUse, onRevoked, onCancel }: ConfirmRevokeProps) {
  const [revoking, setRevoking] = useState(false);
  const [failure, setFailure] = useState<ApiError | undefined>();

  async function revoke() {
    setRevoking(true);
    setFailure(undefined);
    try {
      await client.revokeApiKey(apiKey.id);
      onRevoked();
    } catch (error) {
      setFailure(toApiError(error));
      setRevoking(false);
    }
  }

  return (
    <div id={id} className="confirm" role="group" aria-label={`Confirm revoking ${apiKey.name}`}>
      <p className="confirm-question">
        Revoke “{apiKey.name}”? Anything using it stops working at once, and it cannot be undone.
        {inUse && ' This dashboard is connected with this key and will be disconnected.'}
      </p>
      <div className="confirm-actions">
        <button type="button" className="button button-small button-danger" onClick={revoke} disabled={revoking}>
          {revoking ? 'Revoking…' : 'Revoke key'}
        </button>
        <button
          type="button"
          className="button button-small button-quiet"
          onClick={onCancel}
          disabled={revoking}
          // The safe choice takes focus, so a stray Enter does not revoke.
          autoFocus
        >
          Cancel
        </button>
      </div>
      {failure && <ErrorNotice error={failure} action="revoke API keys" />}
    </div>
  );
}
