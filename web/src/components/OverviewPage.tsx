import { useCallback } from 'react';
import type { EnclaveClient } from '../api/client.ts';
import type { Workspace } from '../api/types.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Identifier } from './Identifier.tsx';
import { PageHeading } from './PageHeading.tsx';
import { ProfileForm } from './ProfileForm.tsx';
import { Timestamp } from './Timestamp.tsx';

interface OverviewPageProps {
  client: EnclaveClient;
  workspace: Workspace;
}

export function OverviewPage({ client, workspace }: OverviewPageProps) {
  const profile = useApiQuery(useCallback(() => client.profile(), [client]));

  return (
    <>
      <PageHeading description="The workspace you are working in and how it presents itself.">{workspace.name}</PageHeading>
      <section className="card" aria-labelledby="workspace-heading">
        <h2 id="workspace-heading">Workspace</h2>
        <dl className="facts">
          <div>
            <dt>Name</dt>
            <dd>{workspace.name}</dd>
          </div>
          <div>
            <dt>Workspace id</dt>
            <dd>
              <Identifier value={workspace.id} />
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <Timestamp at={workspace.createdAt} />
            </dd>
          </div>
        </dl>
      </section>
      <section className="card" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        {profile.result.state === 'loading' && <p className="muted">Loading the profile…</p>}
        {profile.result.state === 'failed' && <ErrorNotice error={profile.result.error} action="read the profile" />}
        {profile.result.state === 'loaded' && (
          <ProfileForm client={client} profile={profile.result.value} onSaved={(saved) => profile.update(() => saved)} />
        )}
      </section>
    </>
  );
}
