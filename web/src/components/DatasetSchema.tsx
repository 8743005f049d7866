import type { Dataset } from '../api/datasets.ts';

/** The declared columns, in order; no row actions, so not a DataTable. */
export function DatasetSchema({ dataset }: { dataset: Dataset }) {
  const keys = new Set(dataset.primaryKey);
  return (
    <div className="table-scroll">
      <table className="table">
        <caption className="visually-hidden">Columns of {dataset.name}</caption>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Type</th>
            <th scope="col">Holds</th>
          </tr>
        </thead>
        <tbody>
          {dataset.columns.map((column) => (
            <tr key={column.name} data-column={column.name}>
              <th scope="row">
                <code>{column.name}</code>
              </th>
              <td>{column.type}</td>
              <td>
                {keys.has(column.name) && <span className="badge badge-info">primary key</span>}
                {column.sensitive && <span className="badge badge-warning">sensitive</span>}
                {!keys.has(column.name) && !column.nullable && <span className="badge badge-neutral">required</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
