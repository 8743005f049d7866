import type Database from 'better-sqlite3-multiple-ciphers';
import type { SqliteDatabase } from '../../core/database.ts';
import { cursorColumns, readCatalogue, type DatasetTable } from './catalogue.ts';
import { ALLOWED_FUNCTIONS } from './functions.ts';

/** A statement the guard refused, with a code and a message fit for the client. */
export class SqlRefusal extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SqlRefusal';
    this.code = code;
  }
}

export interface ResultColumn {
  name: string;
  /** The values leave as the sensitive mask (LOG-05). */
  masked: boolean;
}

/** A statement that passed every check, ready to run, and how to show its columns. */
export interface CheckedQuery {
  statement: Database.Statement;
  columns: ResultColumn[];
}

interface Op {
  opcode: string;
  p1: number;
  p2: number;
  p3: number;
  p4: string | null;
}

interface Cursor {
  table: DatasetTable;
  columns: string[];
}

const OPENS = new Set(['OpenRead', 'ReopenIdx', 'OpenWrite']);
const FUNCTIONS = new Set(['Function', 'PureFunc', 'AggStep', 'AggStep1', 'AggInverse', 'AggValue', 'AggFinal']);
/**
 * Opcodes that keep rows aside to sort, group, deduplicate, combine (UNION), index (automatic
 * indexes), window or hand them on (co-routines). Counting reads of a sensitive column (below)
 * assumes each read value goes straight to the result; a value held in one of these can be
 * compared again without another read (`SELECT x FROM (SELECT ssn AS x … LIMIT 9) WHERE x = 'guess'`,
 * `SELECT ssn … UNION SELECT 'guess'`), so a statement that reads a sensitive column may use none.
 */
const HOLDS_ROWS = new Set(['OpenEphemeral', 'OpenAutoindex', 'SorterOpen', 'OpenDup', 'InitCoroutine']);
/** Opcodes that compare a cursor's key with a value: on a key holding a sensitive column, a search by that value. */
const SEEKS = new Set([
  'SeekGE',
  'SeekGT',
  'SeekLE',
  'SeekLT',
  'SeekScan',
  'SeekRowid',
  'DeferredSeek',
  'IdxGE',
  'IdxGT',
  'IdxLE',
  'IdxLT',
  'Found',
  'NotFound',
  'NoConflict',
  'NotExists',
  'IfNoHope',
]);

/**
 * The first keyword of the text, past comments and white space. Only the statement's KIND is
 * taken from its text, to refuse PRAGMA and EXPLAIN, which return rows and are read-only yet
 * compile to bytecode that opens no table. What it reads is taken from the bytecode.
 */
export function firstKeyword(sql: string): string {
  let at = 0;
  while (at < sql.length) {
    if (/\s/.test(sql[at] ?? '')) at += 1;
    else if (sql.startsWith('--', at)) {
      const end = sql.indexOf('\n', at);
      at = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', at)) {
      const end = sql.indexOf('*/', at + 2);
      at = end < 0 ? sql.length : end + 2;
    } else break;
  }
  return (/^[A-Za-z]+/.exec(sql.slice(at))?.[0] ?? '').toLowerCase();
}

function compile(db: SqliteDatabase, sql: string): Database.Statement {
  try {
    return db.prepare(sql);
  } catch (error) {
    // better-sqlite3 compiles the first statement and refuses a non-empty tail, so a second
    // statement never runs (and this path never uses exec(), which would run them all).
    if (error instanceof RangeError && /more than one statement/.test(error.message)) {
      throw new SqlRefusal('sql_multiple_statements', 'send exactly one SELECT statement');
    }
    if (error instanceof RangeError) throw new SqlRefusal('sql_invalid', 'the text holds no SQL statement');
    // A compile error names the text at fault ("near \"FORM\": syntax error", "no such column: x"),
    // never a path, a key or a stored value.
    const message = error instanceof Error ? error.message.slice(0, 300) : 'the statement does not compile';
    throw new SqlRefusal('sql_invalid', `the statement does not compile: ${message}`);
  }
}

/** Eponymous virtual tables a statement may read: JSON helpers over values it already reads. */
function allowedVirtualTables(db: SqliteDatabase): Set<string> {
  // VOpen's P4 names the table instance, which for an eponymous table is one per connection.
  const program = db.prepare("EXPLAIN SELECT * FROM json_each('[]'), json_tree('[]')").all() as Op[];
  return new Set(program.filter((op) => op.opcode === 'VOpen' && op.p4 !== null).map((op) => op.p4 as string));
}

function functionName(p4: string | null): string | undefined {
  return p4 === null ? undefined : /^(.+)\(-?\d+\)$/.exec(p4)?.[1];
}

/**
 * ACC-04 and LOG-05: checks one client statement before it runs on a read-only handle. The
 * handle already makes SQLite refuse every write; this decides what may be READ, from the
 * compiled program (EXPLAIN) rather than the text, so aliases, views, subqueries, CTEs and
 * quoting cannot hide a table: every b-tree the program opens must belong to a dataset table
 * of this workspace (never sqlite_schema, the vault, the audit log or another database), every
 * virtual table must be json_each/json_tree, and every function must be on the allow-list.
 * Sensitive columns may only be selected as they are (their values then leave masked): a
 * statement that filters, sorts, joins, groups or computes on one is refused, since its
 * answer would reveal the values a little at a time (a search by guesses). Such a statement
 * must read each sensitive value once per result column showing it, hold no rows aside
 * (HOLDS_ROWS) and not search a key that holds a sensitive column.
 */
export function checkQuery(db: SqliteDatabase, sql: string): CheckedQuery {
  const keyword = firstKeyword(sql);
  if (keyword === '') throw new SqlRefusal('sql_invalid', 'the text holds no SQL statement');
  if (!['select', 'with', 'values'].includes(keyword)) throw new SqlRefusal('sql_not_select', 'only a SELECT statement (or WITH … SELECT, VALUES) may run');
  const statement = compile(db, sql);
  if (!statement.reader) throw new SqlRefusal('sql_not_select', 'only a statement that returns rows may run');
  if (!statement.readonly) throw new SqlRefusal('sql_read_only', 'the statement would change the database; this path only reads');

  const catalogue = readCatalogue(db);
  const virtualTables = allowedVirtualTables(db);
  const program = db.prepare(`EXPLAIN ${sql}`).all() as Op[];
  const cursors = new Map<number, Cursor>();
  const sensitiveReads = new Map<string, number>();
  let holdsRows = false;
  const forbidden = () => new SqlRefusal('sql_forbidden_table', 'only the workspace’s dataset tables (ds_<name>) may be read');

  for (const op of program) {
    if (OPENS.has(op.opcode)) {
      if (op.opcode === 'OpenWrite') throw new SqlRefusal('sql_read_only', 'the statement would change the database; this path only reads');
      if (op.p3 !== 0) throw forbidden();
      const owner = catalogue.roots.get(op.p2);
      const table = owner ? catalogue.tables.get(owner.table) : undefined;
      if (!owner || !table) throw forbidden();
      cursors.set(op.p1, { table, columns: cursorColumns(db, owner) });
    } else if (op.opcode === 'VOpen') {
      if (op.p4 === null || !virtualTables.has(op.p4)) throw forbidden();
    } else if (FUNCTIONS.has(op.opcode)) {
      const name = functionName(op.p4);
      if (name === undefined || !ALLOWED_FUNCTIONS.has(name.toLowerCase())) {
        throw new SqlRefusal('sql_forbidden_function', `the function ${name === undefined ? '' : `${name}() `}is not available in queries`);
      }
    } else if (op.opcode === 'Column') {
      const cursor = cursors.get(op.p1);
      const column = cursor?.columns[op.p2];
      if (cursor && column !== undefined && cursor.table.sensitive.has(column)) {
        const key = `${cursor.table.table}.${column}`;
        sensitiveReads.set(key, (sensitiveReads.get(key) ?? 0) + 1);
      }
    } else if (HOLDS_ROWS.has(op.opcode)) {
      holdsRows = true;
    } else if (SEEKS.has(op.opcode) && cursors.get(op.p1)?.table.sensitiveKey) {
      throw new SqlRefusal('sql_sensitive_column', 'a sensitive column may be selected (it comes back masked) but not searched, joined or compared on');
    }
  }

  const origins = statement.columns().map((column) => {
    const table = column.database === 'main' && column.table !== null ? catalogue.tables.get(column.table) : undefined;
    return table && column.column !== null ? { table, column: column.column } : undefined;
  });
  // Each read of a sensitive column must be one of its plain result columns; any other read
  // feeds a filter, a sort, a join, a group or an expression.
  for (const [key, reads] of sensitiveReads) {
    const selected = origins.filter((origin) => origin && `${origin.table.table}.${origin.column}` === key).length;
    if (reads > selected) {
      throw new SqlRefusal('sql_sensitive_column', 'a sensitive column may be selected (it comes back masked) but not filtered, sorted, grouped, joined or computed on');
    }
  }
  const readsSensitive = sensitiveReads.size > 0;
  if (readsSensitive && holdsRows) {
    throw new SqlRefusal(
      'sql_sensitive_column',
      'a statement that selects a sensitive column cannot sort, group, deduplicate, combine or window rows; leave the sensitive columns out (they come back masked anyway)',
    );
  }
  const columns = statement.columns().map((column, index) => {
    const origin = origins[index];
    // A computed column (or one of json_each) could carry a sensitive value in another form: masked
    // whenever the statement reads any sensitive column at all.
    const masked = origin ? origin.table.sensitive.has(origin.column) : readsSensitive;
    return { name: column.name, masked };
  });
  return { statement, columns };
}
