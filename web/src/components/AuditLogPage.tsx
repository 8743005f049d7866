import { useCallback, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { plural } from '../plural.ts';
import { AuditChainBanner } from './AuditChainBanner.tsx';
import { AuditEventTable } from './AuditEventTable.tsx';
import type { AuditFilter } from '../api/types.ts';
import { AuditFilters, isFiltering, NO_FILTER } from './AuditFilters.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PageHeading } from './PageHeading.tsx';

const PAGE_SIZE = 100;

interface AuditLogPageProps {
  client: EnclaveClient;
}

export function AuditLogPage({ client }: AuditLogPageProps) {
  const [filter, setFilter] = useState<AuditFilter>(NO_FILTER);
  // One load for all three, so a role that may not read the log gets one clear refusal, not three.
  const log = useApiQuery(
    useCallback(async () => {
      const [verification, facets, page] = await Promise.all([
        client.auditVerification(),
        client.auditFacets(),
        client.auditEvents({ limit: PAGE_SIZE }, filter),
      ]);
      return { verification, facets, checkedAt: new Date().toISOString(), ...page };
    }, [client, filter]),
  );
  const loaded = log.result.state === 'loaded' ? log.result.value : undefined;
  const nextAfter = loaded ? loaded.nextAfter : null;
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreFailure, setMoreFailure] = useState<ApiError | undefined>();
  const filtering = isFiltering(filter);

  async function loadMore(after: number) {
    setLoadingMore(true);
    setMoreFailure(undefined);
    try {
      const next = await client.auditEvents({ after, limit: PAGE_SIZE }, filter);
      log.update((shown) => ({ ...shown, events: [...shown.events, ...next.events], nextAfter: next.nextAfter }));
    } catch (error) {
      setMoreFailure(toApiError(error));
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <>
      <PageHeading description="Every privileged action in this workspace, oldest first. Each event is hash-chained to the one before it, and signed checkpoints pin the chain, so an edited or deleted event is detected.">
        Audit log
      </PageHeading>
      {log.result.state === 'loading' && <p className="muted">Loading and verifying the audit log…</p>}
      {log.result.state === 'failed' && <ErrorNotice error={log.result.error} action="read the audit log" />}
      {loaded && (
        <>
          <AuditChainBanner verification={loaded.verification} checkedAt={loaded.checkedAt} onCheckAgain={log.reload} />
          <section className="card" aria-labelledby="events-heading">
            <h2 id="events-heading">Events</h2>
            <AuditFilters facets={loaded.facets} filter={filter} onChange={setFilter} />
            {filtering && loaded.events.length === 0 ? (
              <p className="muted">No event matches these filters.</p>
            ) : (
              <AuditEventTable events={loaded.events} />
            )}
            <div className="table-footer">
              <p className="muted" role="status">
                {nextAfter === null
                  ? `Showing all ${plural(loaded.events.length, filtering ? 'matching event' : 'event')}.`
                  : `Showing the first ${plural(loaded.events.length, filtering ? 'matching event' : 'event')}; newer ones follow.`}
              </p>
              {nextAfter !== null && (
                <button type="button" className="button" onClick={() => loadMore(nextAfter)} disabled={loadingMore}>
                  {loadingMore ? 'Loading…' : 'Load more'}
                </button>
              )}
            </div>
            {moreFailure && <ErrorNotice error={moreFailure} action="read the audit log" />}
          </section>
        </>
      )}
    </>
  );
}
