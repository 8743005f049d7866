import { useState } from 'react';
import type { EnclaveClient } from '../api/client.ts';
import type { DeletedWorkspace } from '../api/data-privacy.ts';
import type { Workspace } from '../api/types.ts';
import { ConfirmAction } from './ConfirmAction.tsx';
import { PasswordPrompt } from './PasswordPrompt.tsx';
import { TextField } from './TextField.tsx';

interface DeleteWorkspaceSectionProps {
  client: EnclaveClient;
  workspace: Workspace;
  onDeleted(deleted: DeletedWorkspace): void;
}

/**
 * DAT-02: an owner deletes the workspace by typing its name, and a person also enters
 * their password (src/workspaces/deletion.ts); an owner key confirms with the name alone.
 */
export function DeleteWorkspaceSection({ client, workspace, onDeleted }: DeleteWorkspaceSectionProps) {
  const [asking, setAsking] = useState(false);
  const [name, setName] = useState('');
  const remove = (password: string | undefined) =>
    client.call<DeletedWorkspace>('', { method: 'DELETE', body: { confirmName: name, ...(password === undefined ? {} : { password }) } });
  const nameField = (
    <TextField
      id="delete-workspace-name"
      label={`Type the workspace name, ${workspace.name}, to confirm`}
      messages={[]}
      name="confirmName"
      value={name}
      onChange={(event) => setName(event.target.value)}
      autoComplete="off"
    />
  );
  const cancel = () => {
    setAsking(false);
    setName('');
  };

  return (
    <section className="card" aria-labelledby="delete-workspace-heading">
      <h2 id="delete-workspace-heading">Delete this workspace</h2>
      <p>
        Everyone loses access at once. The workspace is kept for the retention period, during which its owners can restore it, and is
        then destroyed for good: its files are removed and its key is shredded.
      </p>
      {!asking ? (
        <button type="button" className="button button-danger" onClick={() => setAsking(true)}>
          Delete workspace…
        </button>
      ) : client.actsWithKey ? (
        <ConfirmAction
          id="confirm-delete-workspace"
          label={`Confirm deleting ${workspace.name}`}
          question={nameField}
          confirmLabel="Delete workspace"
          busyLabel="Deleting…"
          action="delete this workspace"
          run={async () => onDeleted(await remove(undefined))}
          onDone={cancel}
          onCancel={cancel}
        />
      ) : (
        <PasswordPrompt
          id="delete-workspace-password"
          explanation="Deleting a workspace needs its name typed out and your current password."
          submitLabel="Delete workspace"
          busyLabel="Deleting…"
          action="delete this workspace"
          danger
          onSubmit={async (password) => onDeleted(await remove(password))}
          onCancel={cancel}
        >
          {nameField}
        </PasswordPrompt>
      )}
    </section>
  );
}
