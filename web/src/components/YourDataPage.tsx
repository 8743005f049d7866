import { openPersonalExport } from '../api/data-privacy.ts';
import type { User } from '../api/types.ts';
import { ArchiveDownload } from './ArchiveDownload.tsx';
import { CloseAccountSection } from './CloseAccountSection.tsx';
import { PageHeading } from './PageHeading.tsx';

interface YourDataPageProps {
  user: User;
  onClosed(): void;
}

/** The signed-in person's own data: a personal export (DAT-01) and closing the account (DAT-03). */
export function YourDataPage({ user, onClosed }: YourDataPageProps) {
  return (
    <main className="workspace page" aria-labelledby="page-heading">
      <PageHeading description="What Enclave holds about you, and closing your account. A workspace’s own data is on its Data & privacy page.">
        Your data
      </PageHeading>
      <section className="card" aria-labelledby="export-personal-heading">
        <h2 id="export-personal-heading">Export your data</h2>
        <p>
          One tar archive with your profile, memberships, sessions, sign-in methods (never their secrets) and the account’s audit events,
          described by the README inside. At most 3 exports an hour.
        </p>
        <ArchiveDownload label="Export your data" action="export your data" fallbackName="personal-export.tar" open={openPersonalExport} />
      </section>
      <CloseAccountSection user={user} onClosed={onClosed} />
    </main>
  );
}
