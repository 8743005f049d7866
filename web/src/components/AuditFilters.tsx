import type { AuditEvent } from '../api/types.ts';

export interface AuditFilter {
  /** An exact action, or '' for any. */
  action: string;
  /** `type:id` of an actor, or '' for anyone. */
  actor: string;
}

export const NO_FILTER: AuditFilter = { action: '', actor: '' };

export function actorKey(actor: AuditEvent['actor']): string {
  return `${actor.type}:${actor.id}`;
}

export function matches(event: AuditEvent, filter: AuditFilter): boolean {
  return (filter.action === '' || event.action === filter.action) && (filter.actor === '' || actorKey(event.actor) === filter.actor);
}

interface AuditFiltersProps {
  /** The events loaded so far: the server pages by sequence only, so the choices come from what is on hand. */
  events: readonly AuditEvent[];
  filter: AuditFilter;
  onChange(filter: AuditFilter): void;
}

export function AuditFilters({ events, filter, onChange }: AuditFiltersProps) {
  const actions = [...new Set(events.map((event) => event.action))].sort();
  const actors = [...new Set(events.map((event) => actorKey(event.actor)))].sort();
  return (
    <div className="form form-row filters" role="search" aria-label="Filter events">
      <div className="field">
        <label htmlFor="audit-filter-action">Action</label>
        <select id="audit-filter-action" value={filter.action} onChange={(event) => onChange({ ...filter, action: event.target.value })}>
          <option value="">Any action</option>
          {actions.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-filter-actor">Actor</label>
        <select id="audit-filter-actor" value={filter.actor} onChange={(event) => onChange({ ...filter, actor: event.target.value })}>
          <option value="">Anyone</option>
          {actors.map((actor) => (
            <option key={actor} value={actor}>
              {actor.replace(':', ' ')}
            </option>
          ))}
        </select>
      </div>
      <div className="form-actions">
        <button type="button" className="button" onClick={() => onChange(NO_FILTER)} disabled={filter.action === '' && filter.actor === ''}>
          Clear filters
        </button>
      </div>
    </div>
  );
}
