import type { EnclaveClient } from '../api/client.ts';
import type { ApiKey } from '../api/types.ts';
import { ConfirmAction } from './ConfirmAction.tsx';

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
  return (
    <ConfirmAction
      id={id}
      label={`Confirm revoking ${apiKey.name}`}
      question={
        <>
          Revoke “{apiKey.name}”? Anything using it stops working at once, and it cannot be undone.
          {inUse && ' This dashboard is connected with this key and will be disconnected.'}
        </>
      }
      confirmLabel="Revoke key"
      busyLabel="Revoking…"
      action="revoke API keys"
      run={() => client.revokeApiKey(apiKey.id)}
      onDone={onRevoked}
      onCancel={onCancel}
    />
  );
}
