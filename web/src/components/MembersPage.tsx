import { useCallback } from 'react';
import type { EnclaveClient } from '../api/client.ts';
import type { Role } from '../api/types.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { plural } from '../plural.ts';
import { DataTable } from './DataTable.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { InvitationsSection } from './InvitationsSection.tsx';
import { MemberRow } from './MemberRow.tsx';
import { PageHeading } from './PageHeading.tsx';
import { ScimSection } from './ScimSection.tsx';
import { SingleSignOnSection } from './SingleSignOnSection.tsx';

interface MembersPageProps {
  client: EnclaveClient;
  /** The viewer's own role, when known; undefined (an API key) shows the controls and lets the server decide. */
  role: Role | undefined;
  /** The signed-in person, so their own row is marked. */
  userId: string | undefined;
}

const MANAGERS: readonly Role[] = ['owner', 'admin'];

export function MembersPage({ client, role, userId }: MembersPageProps) {
  const members = useApiQuery(useCallback(() => client.members(), [client]));
  const canManage = role === undefined || MANAGERS.includes(role);

  return (
    <>
      <PageHeading description="People who can sign in to this workspace and the role each one has. A change of role or a removal applies from the member's very next request.">
        Members
      </PageHeading>
      <section className="card" aria-labelledby="member-list-heading">
        <h2 id="member-list-heading">
          {members.result.state === 'loaded' ? plural(members.result.value.length, 'member') : 'Members'}
        </h2>
        {members.result.state === 'loading' && <p className="muted">Loading members…</p>}
        {members.result.state === 'failed' && <ErrorNotice error={members.result.error} action="see the members" />}
        {members.result.state === 'loaded' && (
          <DataTable columns={['Name', 'Role', 'Member since']}>
            {members.result.value.map((member) => (
              <MemberRow
                key={member.userId}
                client={client}
                member={member}
                isYou={member.userId === userId}
                canManage={canManage}
                onChanged={members.reload}
              />
            ))}
          </DataTable>
        )}
      </section>
      {canManage && <InvitationsSection client={client} />}
      {/* Who may sign in through an identity provider is the owners' call (sso:manage), and their session's. */}
      {role === 'owner' && !client.actsWithKey && <SingleSignOnSection workspaceId={client.workspaceId} />}
      {role === 'owner' && !client.actsWithKey && <ScimSection workspaceId={client.workspaceId} />}
    </>
  );
}
