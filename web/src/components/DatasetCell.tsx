import type { Cell } from '../api/datasets.ts';

/** The redactor's masks, "[REDACTED:card]" (src/core/redact/rule.ts), as the rows API returns them inside values. */
const MASK = /(\[REDACTED:[a-z0-9-]+\])/;

/** One value as the API returned it; masks are marked so nobody takes them for data, and their text is kept as is. */
export function DatasetCell({ value }: { value: Cell }) {
  if (value === null) return <span className="cell-null">empty</span>;
  if (typeof value !== 'string') return <>{String(value)}</>;
  // split() with a capturing group keeps the masks, at the odd positions.
  return (
    <>
      {value.split(MASK).map((part, index) =>
        index % 2 === 1 ? (
          <span key={index} className="redacted" title="Masked: your role does not reveal this value">
            {part}
          </span>
        ) : (
          part
        ),
      )}
    </>
  );
}
