import type { EnclaveClient } from '../api/client.ts';
import type { DeletedWorkspace } from '../api/data-privacy.ts';
import type { Role, Workspace } from '../api/types.ts';
import { ArchiveDownload } from './ArchiveDownload.tsx';
import { DeleteWorkspaceSection } from './DeleteWorkspaceSection.tsx';
import { PageHeading } from './PageHeading.tsx';

interface DataPrivacyPageProps {
  client: EnclaveClient;
  workspace: Workspace;
  /** Undefined when an API key acts: the server then decides by the key's role. */
  role: Role | undefined;
  onDeleted(deleted: DeletedWorkspace): void;
}

/** DAT-01 and DAT-02 for one workspace: its owners export everything in it, or delete it. */
export function DataPrivacyPage({ client, workspace, role, onDeleted }: DataPrivacyPageProps) {
  return (
    <>
      <PageHeading description="Take everything this workspace holds with you, or delete it. Your own account's data is under Your data.">
        Data &amp; privacy
      </PageHeading>
      {role !== undefined && role !== 'owner' ? (
        <p className="notice" role="status">
          Only the workspace’s owners can export or delete it.
        </p>
      ) : (
        <>
          <section className="card" aria-labelledby="export-workspace-heading">
            <h2 id="export-workspace-heading">Export this workspace</h2>
            <p>
              One tar archive with the workspace’s datasets, members, settings and audit log, described by the README inside. No secret (a
              key, a token or a credential’s value) is ever in it. At most 3 exports an hour.
            </p>
            <ArchiveDownload label="Export this workspace" action="export this workspace" fallbackName="workspace-export.tar" open={() => client.openExport()} />
          </section>
          <DeleteWorkspaceSection client={client} workspace={workspace} onDeleted={onDeleted} />
        </>
      )}
    </>
  );
}
