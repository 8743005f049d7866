import type { AuditFacets, AuditFilter } from '../api/types.ts';

export const NO_FILTER: AuditFilter = { action: '', actor: '', since: '', until: '' };

export function isFiltering(filter: AuditFilter): boolean {
  return Object.values(filter).some((value) => value !== '');
}

/** `datetime-local` speaks the browser's local time without a zone; the API wants an instant. */
function toInstant(local: string): string {
  return local === '' ? '' : new Date(local).toISOString();
}

function toLocal(instant: string): string {
  if (instant === '') return '';
  const at = new Date(instant);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

interface AuditFiltersProps {
  /** Every action and actor in the log, from the server, so a filter can reach events not loaded yet. */
  facets: AuditFacets;
  filter: AuditFilter;
  onChange(filter: AuditFilter): void;
}

export function AuditFilters({ facets, filter, onChange }: AuditFiltersProps) {
  return (
    <div className="form form-row filters" role="search" aria-label="Filter events">
      <div className="field">
        <label htmlFor="audit-filter-action">Action</label>
        <select id="audit-filter-action" value={filter.action} onChange={(event) => onChange({ ...filter, action: event.target.value })}>
          <option value="">Any action</option>
          {facets.actions.map((action) => (
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
          {facets.actors.map((actor) => (
            <option key={`${actor.type}:${actor.id}`} value={`${actor.type}:${actor.id}`}>
              {actor.type} {actor.id}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-filter-since">From</label>
        <input
          id="audit-filter-since"
          type="datetime-local"
          value={toLocal(filter.since)}
          onChange={(event) => onChange({ ...filter, since: toInstant(event.target.value) })}
        />
      </div>
      <div className="field">
        <label htmlFor="audit-filter-until">Until</label>
        <input
          id="audit-filter-until"
          type="datetime-local"
          value={toLocal(filter.until)}
          onChange={(event) => onChange({ ...filter, until: toInstant(event.target.value) })}
        />
      </div>
      <div className="form-actions">
        <button type="button" className="button" onClick={() => onChange(NO_FILTER)} disabled={!isFiltering(filter)}>
          Clear filters
        </button>
      </div>
    </div>
  );
}
