import { z } from 'zod';
import { statement, type SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { maskedRow } from './masking.ts';
import { datasetTable, quoteName } from './names.ts';
import { columnNameSchema, datasetNameSchema, type Column, type Row } from './schema.ts';
import { shownRow, toStored, type StoredValue } from './values.ts';

const FILTER_OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'contains', 'is_null', 'not_null'] as const;
const METRICS = ['count', 'sum', 'avg', 'min', 'max'] as const;
const scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);

/** A structured query (AIC-06, ACC-04): names come only from the dataset's declared columns, values are bound. */
export const datasetQuerySchema = z.strictObject({
  dataset: datasetNameSchema,
  columns: z.array(columnNameSchema).min(1).max(200).optional(),
  filters: z
    .array(z.strictObject({ column: columnNameSchema, op: z.enum(FILTER_OPS), value: z.union([scalar, z.array(scalar).min(1).max(100)]).optional() }))
    .max(20)
    .optional(),
  sort: z.array(z.strictObject({ column: columnNameSchema, direction: z.enum(['asc', 'desc']).default('asc') })).max(5).optional(),
  aggregate: z
    .strictObject({
      groupBy: z.array(columnNameSchema).max(5).optional(),
      metrics: z.array(z.strictObject({ fn: z.enum(METRICS), column: columnNameSchema.optional() })).min(1).max(10),
    })
    .optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).max(1_000_000).default(0),
});
export type DatasetQuery = z.infer<typeof datasetQuerySchema>;

export interface QueryResult {
  rows: Row[];
  /** Whether more rows follow this page (then ask again with offset + limit). */
  more: boolean;
}

const COMPARISONS: Record<string, string> = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };

function refuse(code: string, message: string): AppError {
  return new AppError(400, code, message);
}

/**
 * Runs a structured query over one dataset on the handle given — for the AI query path the
 * workspace's read-only handle (ACC-04). A sensitive column (LOG-05) may be read only as its
 * mask: filtering (beyond null checks), sorting, grouping or aggregating on it would answer
 * questions about its values, so those are refused.
 */
export function runDatasetQuery(db: SqliteDatabase, columns: readonly Column[], query: DatasetQuery): QueryResult {
  const byName = new Map(columns.map((column) => [column.name, column]));
  const column = (name: string): Column => {
    const found = byName.get(name);
    if (!found) throw refuse('unknown_column', `the dataset has no column ${name}`);
    return found;
  };
  const plain = (name: string, use: string): Column => {
    const found = column(name);
    if (found.sensitive === true) throw refuse('sensitive_column', `${name} is sensitive: it cannot be used to ${use}`);
    return found;
  };
  const where: string[] = [];
  const params: StoredValue[] = [];
  const bind = (target: Column, value: unknown): string => {
    const stored = toStored(target.type, value);
    if (stored !== null && typeof stored === 'object') throw refuse('invalid_value', `a value for ${target.name}: ${stored.message}`);
    params.push(stored);
    return '?';
  };
  for (const filter of query.filters ?? []) {
    if (filter.op === 'is_null' || filter.op === 'not_null') {
      where.push(`${quoteName(column(filter.column).name)} IS ${filter.op === 'is_null' ? '' : 'NOT '}NULL`);
      continue;
    }
    const target = plain(filter.column, 'filter');
    const name = quoteName(target.name);
    if (filter.value === undefined) throw refuse('invalid_filter', `${filter.op} on ${target.name} needs a value`);
    if (filter.op === 'in') {
      const values = Array.isArray(filter.value) ? filter.value : [filter.value];
      where.push(`${name} IN (${values.map((value) => bind(target, value)).join(', ')})`);
    } else if (Array.isArray(filter.value)) {
      throw refuse('invalid_filter', `${filter.op} takes one value; use in for several`);
    } else if (filter.op === 'contains') {
      where.push(`instr(${name}, ${bind({ ...target, type: 'text' }, String(filter.value))}) > 0`);
    } else {
      where.push(`${name} ${COMPARISONS[filter.op]} ${bind(target, filter.value)}`);
    }
  }
  const table = datasetTable(query.dataset);
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const order = (query.sort ?? []).map((entry) => `${quoteName(plain(entry.column, 'sort').name)} ${entry.direction === 'desc' ? 'DESC' : 'ASC'}`);

  if (query.aggregate) {
    const groups = (query.aggregate.groupBy ?? []).map((name) => plain(name, 'group'));
    const metrics = query.aggregate.metrics.map((metric) => {
      if (metric.fn === 'count') return { label: metric.column ? `count_${metric.column}` : 'count', sql: metric.column ? `count(${quoteName(column(metric.column).name)})` : 'count(*)' };
      if (!metric.column) throw refuse('invalid_metric', `${metric.fn} needs a column`);
      const target = plain(metric.column, metric.fn);
      return { label: `${metric.fn}_${target.name}`, sql: `${metric.fn}(${quoteName(target.name)})` };
    });
    const groupSql = groups.map((group) => quoteName(group.name));
    const select = [...groupSql, ...metrics.map((metric) => `${metric.sql} AS ${quoteName(metric.label)}`)].join(', ');
    const sql = `SELECT ${select} FROM ${table} ${whereSql} ${groupSql.length ? `GROUP BY ${groupSql.join(', ')}` : ''} ${order.length ? `ORDER BY ${order.join(', ')}` : ''} LIMIT ? OFFSET ?`;
    const found = db.prepare(sql).all(...params, query.limit + 1, query.offset) as Record<string, StoredValue>[];
    const rows = found.slice(0, query.limit).map((stored) => {
      const row: Row = shownRow(groups, stored);
      for (const metric of metrics) row[metric.label] = stored[metric.label] ?? null;
      return maskedRow([], row);
    });
    return { rows, more: found.length > query.limit };
  }

  const chosen = (query.columns ?? columns.map((candidate) => candidate.name)).map(column);
  const sql = `SELECT ${chosen.map((candidate) => quoteName(candidate.name)).join(', ')} FROM ${table} ${whereSql} ${order.length ? `ORDER BY ${order.join(', ')}` : ''} LIMIT ? OFFSET ?`;
  // Ad hoc SQL is compiled per call: caching every shape an AI client invents would grow without bound.
  const found = (order.length === 0 && where.length === 0 ? statement(db, sql) : db.prepare(sql)).all(...params, query.limit + 1, query.offset) as Record<string, StoredValue>[];
  return { rows: found.slice(0, query.limit).map((stored) => maskedRow(chosen, shownRow(chosen, stored))), more: found.length > query.limit };
}
