import type { DatasetColumn, DatasetRow } from '../api/datasets.ts';
import { DatasetCell } from './DatasetCell.tsx';

interface DatasetRowsProps {
  name: string;
  columns: readonly DatasetColumn[];
  rows: readonly DatasetRow[];
}

/** Rows as the API returned them, masked values included; wide tables scroll, by keyboard too. */
export function DatasetRows({ name, columns, rows }: DatasetRowsProps) {
  return (
    // A scrolling region must be focusable, or keyboard users cannot reach its hidden columns.
    <div className="table-scroll rows-scroll" tabIndex={0} role="region" aria-label={`Rows of ${name}`}>
      <table className="table">
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.name} scope="col">
                {column.name}
                {column.sensitive && <span className="badge badge-warning">sensitive</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {/* Pages are only ever appended, so a row's position is a stable key; its key values may be masked and repeat. */}
          {rows.map((row, index) => (
            <tr key={index}>
              {columns.map((column) => (
                <td key={column.name} className={column.type === 'integer' || column.type === 'real' ? 'numeric' : undefined}>
                  <DatasetCell value={row[column.name] ?? null} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
