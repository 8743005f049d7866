import type { ReactNode } from 'react';

interface DataTableProps {
  /** Visible column headings; the trailing actions column is added after them. */
  columns: readonly string[];
  /** The body rows. */
  children: ReactNode;
}

/**
 * The scrolling table shell of the list pages. Every such table ends in a column of row buttons, whose
 * heading is hidden on screen but still names the column for screen readers.
 */
export function DataTable({ columns, children }: DataTableProps) {
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
