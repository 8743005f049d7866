import { type FormEvent, useState } from 'react';
import { createWorkspace } from '../api/account.ts';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { Membership } from '../api/types.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PageHeading } from './PageHeading.tsx';
import { TextField } from './TextField.tsx';

interface CreateWorkspacePageProps {
  /** The person belongs to no workspace yet, so this is their welcome rather than a side trip. */
  firstRun: boolean;
  onCreated(workspace: Membership): void;
}

export function CreateWorkspacePage({ firstRun, onCreated }: CreateWorkspacePageProps) {
  const [name, setName] = useState('');
  const [missing, setMissing] = useState<string[]>([]);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [creating, setCreating] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setMissing(name.trim() ? [] : ['Give the workspace a name.']);
    setFailure(undefined);
    if (!name.trim()) return;
    setCreating(true);
    try {
      onCreated(await createWorkspace(name.trim()));
    } catch (error) {
      setFailure(toApiError(error));
      setCreating(false);
    }
  }

  const problems = [...missing, ...(failure?.problemsWith('name') ?? [])];

  return (
    <main className="workspace page" aria-labelledby="page-heading">
      <PageHeading
        description={
          firstRun
            ? 'You are not a member of any workspace yet. Create one to start: you become its owner, and you can invite colleagues afterwards.'
            : 'Each workspace has its own encrypted database, keys, members and audit log. You become its owner.'
        }
      >
        {firstRun ? 'Create your first workspace' : 'New workspace'}
      </PageHeading>
      <section className="card empty-state" aria-labelledby="create-workspace-heading">
        <h2 id="create-workspace-heading">Workspace details</h2>
        <form className="form" onSubmit={submit} noValidate>
          <TextField
            id="workspace-name"
            label="Workspace name"
            messages={problems}
            name="name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="for example: Acme Analytics"
            autoComplete="off"
          />
          {failure && <ErrorNotice error={failure} action="create a workspace" fieldLabels={{ name: 'Workspace name' }} />}
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={creating}>
              {creating ? 'Creating…' : 'Create workspace'}
            </button>
          </div>
        </form>
      </section>
    </main>
  );
}
