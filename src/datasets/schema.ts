import { z } from 'zod';
import { NAME_PATTERN } from './names.ts';

export const COLUMN_TYPES = ['text', 'integer', 'real', 'boolean', 'timestamp'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];
/** Key columns compare exactly: no floats, no two-valued booleans. */
export const KEY_TYPES: readonly ColumnType[] = ['text', 'integer', 'timestamp'];

export const MAX_COLUMNS = 200;
export const MAX_KEY_COLUMNS = 4;
/** AGT-03: one batch carries at most this many upserts and this many deletes, within the 1 MiB body limit. */
export const MAX_BATCH_ROWS = 1000;
export const MAX_ROW_PAGE = 1000;

const nameMessage = 'must start with a-z and hold only a-z, 0-9 and _ (at most 63 characters)';
export const datasetNameSchema = z.string().regex(NAME_PATTERN, nameMessage);
export const columnNameSchema = z.string().regex(NAME_PATTERN, nameMessage);

export const columnSchema = z.strictObject({
  name: columnNameSchema,
  type: z.enum(COLUMN_TYPES),
  /** Key columns are never null; other columns are nullable unless they say otherwise. */
  nullable: z.boolean().default(true),
  /**
   * LOG-05: values people see only with datasets:reveal (owners, admins); everyone else reads
   * a mask. Optional rather than defaulted, so callers that never mark a column need not say so.
   */
  sensitive: z.boolean().optional(),
});
export type Column = z.infer<typeof columnSchema>;

export const createDatasetSchema = z.strictObject({
  name: datasetNameSchema,
  columns: z.array(columnSchema).min(1).max(MAX_COLUMNS),
  primaryKey: z.array(columnNameSchema).min(1).max(MAX_KEY_COLUMNS),
});
export type CreateDatasetInput = z.infer<typeof createDatasetSchema>;

/** Columns added later must be nullable: rows already stored have no value for them. */
export const addColumnsSchema = z.strictObject({
  columns: z.array(columnSchema.extend({ nullable: z.literal(true).default(true) })).min(1).max(MAX_COLUMNS),
});
export type AddColumnsInput = z.infer<typeof addColumnsSchema>;

const datasetFields = {
  name: z.string(),
  columns: z.array(z.strictObject({ name: z.string(), type: z.enum(COLUMN_TYPES), nullable: z.boolean(), sensitive: z.boolean() })),
  primaryKey: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
};
export const datasetSummarySchema = z.strictObject(datasetFields);
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;
export const datasetSchema = z.strictObject({ ...datasetFields, rowCount: z.number() });
export type Dataset = z.infer<typeof datasetSchema>;

export const cellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const rowSchema = z.record(z.string(), cellSchema);
export type Row = z.infer<typeof rowSchema>;

export const rowPageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_ROW_PAGE).default(100),
  /** Opaque: the nextCursor of the previous page. */
  cursor: z.string().max(4096).optional(),
});
export const rowPageSchema = z.strictObject({ rows: z.array(rowSchema), nextCursor: z.string().nullable() });

/**
 * Rows are checked one by one by the service rather than by this schema, so one bad row is
 * reported with its index and reason while the others are applied (AGT-03).
 */
export const batchSchema = z.strictObject({
  /** Chosen by the sender, e.g. a file name and offset: printable ASCII without spaces. */
  batchId: z.string().regex(/^[\x21-\x7E]{1,200}$/, 'must be 1-200 printable ASCII characters without spaces'),
  upserts: z.array(z.unknown()).max(MAX_BATCH_ROWS).default([]),
  deletes: z.array(z.unknown()).max(MAX_BATCH_ROWS).default([]),
});
export type BatchInput = z.infer<typeof batchSchema>;

export const rejectedRowSchema = z.strictObject({
  operation: z.enum(['upsert', 'delete']),
  index: z.number(),
  code: z.string(),
  message: z.string(),
  column: z.string().optional(),
});
export type RejectedRow = z.infer<typeof rejectedRowSchema>;

export const batchResultSchema = z.strictObject({
  batchId: z.string(),
  dataset: z.string(),
  upserted: z.number(),
  deleted: z.number(),
  rejected: z.array(rejectedRowSchema),
});
export type BatchResult = z.infer<typeof batchResultSchema>;
