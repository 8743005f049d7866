import type { EnclaveClient } from '../api/client.ts';
import type { Workspace } from '../api/types.ts';
import type { Page, PageId } from '../pages.ts';
import { ApiKeysPage } from './ApiKeysPage.tsx';
import { AuditLogPage } from './AuditLogPage.tsx';
import { Navigation } from './Navigation.tsx';
import { OverviewPage } from './OverviewPage.tsx';

interface WorkspaceViewProps {
  client: EnclaveClient;
  workspace: Workspace;
  page: Page;
  onOpen(id: PageId): void;
}

/** Everything shown once connected: the page tabs and the page itself. */
export function WorkspaceView({ client, workspace, page, onOpen }: WorkspaceViewProps) {
  return (
    <div className="workspace">
      <Navigation current={page.id} onOpen={onOpen} />
      <main className="page" aria-labelledby="page-heading">
        {page.id === 'overview' && <OverviewPage client={client} workspace={workspace} />}
        {page.id === 'api-keys' && <ApiKeysPage client={client} />}
        {page.id === 'audit-log' && <AuditLogPage client={client} />}
      </main>
    </div>
  );
}
