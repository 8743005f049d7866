import type { EnclaveClient } from '../api/client.ts';
import type { DeletedWorkspace } from '../api/data-privacy.ts';
import type { Role, Workspace } from '../api/types.ts';
import type { PageId, WorkspacePage } from '../pages.ts';
import { AgentsPage } from './AgentsPage.tsx';
import { AiClientsPage } from './AiClientsPage.tsx';
import { AlertsPage } from './AlertsPage.tsx';
import { ApiKeysPage } from './ApiKeysPage.tsx';
import { AuditLogPage } from './AuditLogPage.tsx';
import { CredentialsPage } from './CredentialsPage.tsx';
import { DataPrivacyPage } from './DataPrivacyPage.tsx';
import { DatasetsPage } from './DatasetsPage.tsx';
import { MembersPage } from './MembersPage.tsx';
import { Navigation } from './Navigation.tsx';
import { OverviewPage } from './OverviewPage.tsx';

interface WorkspaceViewProps {
  client: EnclaveClient;
  workspace: Workspace;
  page: WorkspacePage;
  onOpen(id: PageId): void;
  /** The signed-in person's role and id; both undefined when the dashboard acts with an API key. */
  role?: Role | undefined;
  userId?: string | undefined;
  /** The workspace was deleted from its Data & privacy page; a key's connection simply stops working. */
  onDeleted?(deleted: DeletedWorkspace): void;
}

/** Everything shown for one open workspace: the page tabs and the page itself. */
export function WorkspaceView({ client, workspace, page, onOpen, role, userId, onDeleted }: WorkspaceViewProps) {
  return (
    <div className="workspace">
      <Navigation current={page.id} onOpen={onOpen} />
      <main className="page" aria-labelledby="page-heading">
        {page.id === 'overview' && <OverviewPage client={client} workspace={workspace} />}
        {page.id === 'members' && <MembersPage client={client} role={role} userId={userId} />}
        {page.id === 'api-keys' && <ApiKeysPage client={client} />}
        {page.id === 'credentials' && <CredentialsPage client={client} />}
        {page.id === 'datasets' && <DatasetsPage client={client} onOpen={onOpen} />}
        {page.id === 'agents' && <AgentsPage client={client} />}
        {page.id === 'ai-clients' && <AiClientsPage client={client} />}
        {page.id === 'audit-log' && <AuditLogPage client={client} />}
        {page.id === 'alerts' && <AlertsPage client={client} />}
        {page.id === 'data-privacy' && <DataPrivacyPage client={client} workspace={workspace} role={role} onDeleted={(deleted) => onDeleted?.(deleted)} />}
      </main>
    </div>
  );
}
