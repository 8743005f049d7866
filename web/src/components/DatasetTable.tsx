import type { Dataset } from '../api/datasets.ts';
import { DataTable } from './DataTable.tsx';
import { Timestamp } from './Timestamp.tsx';

const COLUMNS = ['Name', 'Columns', 'Primary key', 'Rows', 'Updated'];
/** Column names shown in the list before "and N more": the dataset's own view lists them all. */
const SHOWN_COLUMNS = 6;

interface DatasetTableProps {
  datasets: readonly Dataset[];
  onOpen(name: string): void;
}

function columnSummary(dataset: Dataset): string {
  const names = dataset.columns.map((column) => column.name);
  const rest = names.length - SHOWN_COLUMNS;
  return rest > 0 ? `${names.slice(0, SHOWN_COLUMNS).join(', ')} and ${rest} more` : names.join(', ');
}

export function DatasetTable({ datasets, onOpen }: DatasetTableProps) {
  return (
    <DataTable columns={COLUMNS}>
      {datasets.map((dataset) => (
        <tr key={dataset.name} data-dataset={dataset.name}>
          <th scope="row">
            <code>{dataset.name}</code>
          </th>
          <td>{columnSummary(dataset)}</td>
          <td>
            <code>{dataset.primaryKey.join(', ')}</code>
          </td>
          <td className="numeric">{dataset.rowCount.toLocaleString()}</td>
          <td>
            <Timestamp at={dataset.updatedAt} />
          </td>
          <td className="table-actions">
            <button type="button" className="button button-small" onClick={() => onOpen(dataset.name)}>
              View<span className="visually-hidden"> dataset {dataset.name}</span>
            </button>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
