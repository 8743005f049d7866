import type { AuditEvent } from '../api/types.ts';
import { Identifier } from './Identifier.tsx';
import { Timestamp } from './Timestamp.tsx';

interface AuditEventTableProps {
  events: readonly AuditEvent[];
}

const OUTCOME_TONES: Readonly<Record<string, string>> = { success: 'success', failure: 'danger', denied: 'warning' };

export function AuditEventTable({ events }: AuditEventTableProps) {
  if (events.length === 0) return <p className="muted">No events have been recorded yet.</p>;
  return (
    <div className="table-scroll">
      <table className="table audit-table">
        <thead>
          <tr>
            <th scope="col" className="numeric">
              #
            </th>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.seq} data-seq={event.seq}>
              <td className="numeric">{event.seq}</td>
              <td>
                <Timestamp at={event.occurredAt} />
              </td>
              <td>
                <span className="kind">{event.actor.type}</span> <Identifier value={event.actor.id} />
              </td>
              <td>
                <code className="action">{event.action}</code>
              </td>
              <td>
                {event.target ? (
                  <>
                    <span className="kind">{event.target.type}</span> <Identifier value={event.target.id} />
                  </>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td>
                <span className={`badge badge-${OUTCOME_TONES[event.outcome] ?? 'neutral'}`}>{event.outcome}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
