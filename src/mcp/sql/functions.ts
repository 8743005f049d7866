/**
 * SQL functions a client's query may call: an allow-list, so a function a future build of
 * SQLite3 Multiple Ciphers adds is refused until someone looks at it. Left out on purpose:
 * load_extension, the sqlite3mc_* cipher functions (codec data, configuration), sqlite_log,
 * fts3_tokenizer, the FTS/R-tree/geopoly helpers (some run SQL of their own on a table named
 * by their argument, which the bytecode check would not see), connection state (changes,
 * last_insert_rowid, total_changes), build details (sqlite_compileoption_*), and
 * zeroblob/randomblob, which only make large blobs.
 */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  // text and values
  'abs', 'char', 'coalesce', 'concat', 'concat_ws', 'format', 'glob', 'hex', 'if', 'ifnull', 'iif', 'instr',
  'length', 'like', 'likelihood', 'likely', 'lower', 'ltrim', 'max', 'min', 'nullif', 'octet_length', 'printf',
  'quote', 'random', 'replace', 'round', 'rtrim', 'sign', 'soundex', 'substr', 'substring', 'trim', 'typeof',
  'unhex', 'unicode', 'unistr', 'unistr_quote', 'unlikely', 'upper',
  // dates and times
  'date', 'time', 'datetime', 'julianday', 'unixepoch', 'strftime', 'timediff', 'current_date', 'current_time',
  'current_timestamp',
  // mathematics
  'acos', 'acosh', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'ceil', 'ceiling', 'cos', 'cosh', 'degrees', 'exp',
  'floor', 'ln', 'log', 'log10', 'log2', 'mod', 'pi', 'pow', 'power', 'radians', 'sin', 'sinh', 'sqrt', 'tan',
  'tanh', 'trunc',
  // aggregates
  'avg', 'count', 'group_concat', 'string_agg', 'sum', 'total', 'median', 'percentile', 'percentile_cont',
  'percentile_disc',
  // window functions
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value',
  'last_value', 'nth_value',
  // JSON
  '->', '->>', 'json', 'json_array', 'json_array_insert', 'json_array_length', 'json_error_position',
  'json_extract', 'json_group_array', 'json_group_object', 'json_insert', 'json_object', 'json_patch',
  'json_pretty', 'json_quote', 'json_remove', 'json_replace', 'json_set', 'json_type', 'json_valid', 'jsonb',
  'jsonb_array', 'jsonb_array_insert', 'jsonb_extract', 'jsonb_group_array', 'jsonb_group_object', 'jsonb_insert',
  'jsonb_object', 'jsonb_patch', 'jsonb_remove', 'jsonb_replace', 'jsonb_set',
]);
