import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueryHandle } from '../../src/mcp/sql/execute.ts';
import type { ReadOnlySql } from '../../src/mcp/sql/read-only-sql.ts';
import { refusal, ROWS, startSqlFixture, type SqlFixture } from './sql-fixture.ts';

/** A failure as SQLite reported it: better-sqlite3's SqliteError carries SQLite's result code. */
function sqliteFailure(run: () => unknown): { name: string; code: string; message: string } {
  try {
    run();
  } catch (error) {
    const failure = error as { name: string; code: string; message: string };
    return { name: failure.name, code: failure.code, message: failure.message };
  }
  throw new Error('SQLite accepted the statement');
}

describe('read-only SQL for the MCP sql_query tool', () => {
  let fixture: SqlFixture;
  let sql: ReadOnlySql;

  beforeAll(async () => {
    fixture = await startSqlFixture();
    sql = fixture.sql();
  });
  afterAll(async () => {
    await sql.close();
    await fixture.enclave.close();
  });

  const run = (text: string) => sql.run(fixture.workspace.id, text);

  it('[ACC-04] a SELECT with a join, a group, aggregates, a CTE and json_each reads the datasets', async () => {
    const totals = await run(`
      SELECT c.name, count(o.id) AS orders, sum(o.total) AS spent
      FROM ds_customers AS c LEFT JOIN ds_orders AS o ON o.customer_id = c.id
      GROUP BY c.id ORDER BY c.id`);
    expect(totals).toEqual({
      columns: ['name', 'orders', 'spent'],
      rows: [
        { name: 'Ada', orders: 2, spent: 15.5 },
        { name: 'Charles', orders: 1, spent: 7 },
        { name: 'Grace', orders: 0, spent: null },
      ],
      truncated: false,
    });

    const big = await run(`WITH big AS (SELECT customer_id, max(total) AS top FROM ds_orders GROUP BY customer_id)
      SELECT (SELECT name FROM ds_customers WHERE id = big.customer_id) AS name, top FROM big WHERE top > 6 ORDER BY top DESC`);
    expect(big.rows).toEqual([
      { name: 'Ada', top: 10 },
      { name: 'Charles', top: 7 },
    ]);

    const json = await run(`SELECT value FROM json_each('[3, 1, 2]') ORDER BY value`);
    expect(json.rows).toEqual([{ value: 1 }, { value: 2 }, { value: 3 }]);
  });

  it('[ACC-04] every kind of write fails in SQLite itself on the query handle, is refused through the query path, and changes nothing', async () => {
    const platformDb = fixture.enclave.server.platform.databases.open(fixture.workspace.id).db;
    const schemaBefore = platformDb.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all();
    const pragmasBefore = [platformDb.pragma('user_version', { simple: true }), platformDb.pragma('journal_mode', { simple: true })];
    const attachedFile = join(dirname(fixture.path), 'attached.db');

    const writes: { sql: string; refusedAs: string[]; sqlite: RegExp }[] = [
      { sql: `INSERT INTO ds_orders (id, customer_id, total) VALUES ('o9', 1, 1)`, refusedAs: ['sql_not_select'], sqlite: /readonly/ },
      { sql: `UPDATE ds_customers SET name = 'Mallory'`, refusedAs: ['sql_not_select'], sqlite: /readonly/ },
      { sql: `DELETE FROM ds_orders`, refusedAs: ['sql_not_select'], sqlite: /readonly/ },
      { sql: `DROP TABLE ds_orders`, refusedAs: ['sql_not_select'], sqlite: /readonly/ },
      { sql: `CREATE TABLE ds_evil (x TEXT)`, refusedAs: ['sql_not_select'], sqlite: /readonly/ },
      { sql: `CREATE TEMP TABLE evil (x TEXT)`, refusedAs: ['sql_not_select'], sqlite: /readonly/ },
      { sql: `ATTACH '${attachedFile}' AS evil`, refusedAs: ['sql_not_select'], sqlite: /unable to open/ },
      { sql: `ATTACH ':memory:' AS scratch; CREATE TABLE scratch.evil (x TEXT)`, refusedAs: ['sql_not_select'], sqlite: /readonly/ },
      { sql: `PRAGMA user_version = 5`, refusedAs: ['sql_not_select'], sqlite: /readonly/ },
      { sql: `PRAGMA journal_mode = delete`, refusedAs: ['sql_not_select'], sqlite: /locked|I\/O error|readonly/ },
      { sql: `VACUUM`, refusedAs: ['sql_not_select'], sqlite: /readonly/ },
      { sql: `SELECT load_extension('x')`, refusedAs: ['sql_forbidden_function'], sqlite: /not authorized/ },
      { sql: `SELECT 1; DROP TABLE ds_orders`, refusedAs: ['sql_multiple_statements'], sqlite: /readonly/ },
      { sql: `WITH doomed AS (SELECT 1) DELETE FROM ds_orders RETURNING id`, refusedAs: ['sql_read_only'], sqlite: /readonly/ },
      { sql: `INSERT INTO ds_orders (id, customer_id, total) VALUES ('o9', 1, 1) RETURNING id`, refusedAs: ['sql_not_select'], sqlite: /readonly/ },
    ];

    // The store layer: the handle the query worker opens, with the guard left out. exec() runs
    // every statement of the text, so this is SQLite's own verdict on each write.
    const handle = openQueryHandle(fixture.path, fixture.key);
    try {
      for (const write of writes) {
        const failure = sqliteFailure(() => handle.exec(write.sql));
        expect(failure.name, write.sql).toBe('SqliteError');
        expect(failure.code, write.sql).toMatch(/^SQLITE_/);
        expect(failure.message, write.sql).toMatch(write.sqlite);
      }
      // Turning query_only off does not make the handle writable: it was opened read-only.
      handle.pragma('query_only = OFF');
      expect(sqliteFailure(() => handle.exec(`DELETE FROM ds_orders`)).code).toBe('SQLITE_READONLY');
    } finally {
      handle.close();
    }

    // The query path: each is refused with a stable code before it runs.
    for (const write of writes) {
      const error = await refusal(fixture, run(write.sql));
      expect(error.statusCode, write.sql).toBe(400);
      expect(write.refusedAs, write.sql).toContain(error.code);
    }

    // Nothing changed: the rows through the HTTP API, the schema and the settings through the platform.
    for (const dataset of ['customers', 'orders']) expect(await fixture.rowsOf(dataset)).toEqual(ROWS[dataset]);
    expect(platformDb.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all()).toEqual(schemaBefore);
    expect([platformDb.pragma('user_version', { simple: true }), platformDb.pragma('journal_mode', { simple: true })]).toEqual(pragmasBefore);
    expect(existsSync(attachedFile)).toBe(false);
  });

  it('[ACC-04] only dataset tables may be read: the vault, audit log, catalogue, schema, pragmas and other databases are refused', async () => {
    const forbidden = [
      'SELECT * FROM vault_credential',
      'SELECT count(*) FROM audit_events',
      'SELECT * FROM dataset',
      'SELECT * FROM sqlite_master',
      'SELECT name, sql FROM sqlite_schema',
      'SELECT * FROM temp.sqlite_master',
      'SELECT * FROM main.workspace_profile',
      'SELECT "name" FROM "VAULT_CREDENTIAL"',
      'WITH v AS (SELECT * FROM vault_credential) SELECT count(*) FROM v',
      'SELECT name, (SELECT count(*) FROM audit_events) FROM ds_customers',
      'SELECT id FROM ds_orders UNION SELECT batch_id FROM dataset_batch',
      'SELECT * FROM audit_checkpoints',
      'SELECT * FROM ds_orders WHERE id IN (SELECT id FROM vault_credential)',
      "SELECT * FROM pragma_table_info('vault_credential')",
      'SELECT * FROM pragma_database_list',
      'SELECT * FROM dbstat',
    ];
    for (const text of forbidden) {
      const error = await refusal(fixture, run(text));
      expect([error.statusCode, error.code], text).toEqual([400, 'sql_forbidden_table']);
    }
    for (const text of ["PRAGMA table_info('vault_credential')", 'EXPLAIN SELECT * FROM vault_credential', 'EXPLAIN QUERY PLAN SELECT * FROM ds_orders', '  /* note */ -- line\n PRAGMA user_version']) {
      expect((await refusal(fixture, run(text))).code, text).toBe('sql_not_select');
    }
    for (const text of ["SELECT sqlite3mc_codec_data('cipher_salt')", "SELECT sqlite3mc_config('cipher')", 'SELECT changes()', "SELECT rtreecheck('vault_credential')"]) {
      expect((await refusal(fixture, run(text))).code, text).toBe('sql_forbidden_function');
    }
    expect((await refusal(fixture, run('SELECT * FORM ds_orders'))).code).toBe('sql_invalid');
    expect((await refusal(fixture, run('SELECT * FROM ds_nothing'))).code).toBe('sql_invalid');
    expect((await refusal(fixture, run('   -- only a comment'))).code).toBe('sql_invalid');
    expect((await refusal(fixture, run(`SELECT json_extract('{not json', '$.a')`))).code).toBe('sql_failed');
    expect((await refusal(fixture, run(`SELECT 1 ${' '.repeat(100_000)}`))).code).toBe('sql_too_long');

    // Another workspace's dataset names mean nothing here: each workspace is its own database.
    const other = await fixture.enclave.createWorkspace('Other');
    expect((await refusal(fixture, sql.run(other.id, 'SELECT * FROM ds_customers'))).code).toBe('sql_invalid');
  });

  it('[ACC-04] a statement that never ends is stopped at the time limit, and the next statement runs', async () => {
    const quick = fixture.sql({ timeoutMs: 1000 });
    try {
      const error = await refusal(fixture, quick.run(fixture.workspace.id, 'WITH RECURSIVE forever(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM forever) SELECT count(*) FROM forever'));
      expect([error.statusCode, error.code]).toEqual([400, 'sql_timeout']);
      // Queued behind a runaway statement, and after it: each gets a working process.
      const [runaway, after] = await Promise.allSettled([
        quick.run(fixture.workspace.id, 'WITH RECURSIVE forever(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM forever) SELECT max(n) FROM forever'),
        quick.run(fixture.workspace.id, 'SELECT count(*) AS n FROM ds_orders'),
      ]);
      expect(runaway.status === 'rejected' && (runaway.reason as { code: string }).code).toBe('sql_timeout');
      if (after.status === 'rejected') throw after.reason;
      expect(after.value.rows).toEqual([{ n: 3 }]);
    } finally {
      await quick.close();
    }
    expect((await run('SELECT count(*) AS n FROM ds_customers')).rows).toEqual([{ n: 3 }]);
  });

  it('[ACC-04] results stop at the row limit and say they were truncated', async () => {
    const limited = fixture.sql({ maxRows: 2 });
    try {
      const cut = await limited.run(fixture.workspace.id, 'SELECT id FROM ds_orders ORDER BY id');
      expect(cut).toEqual({ columns: ['id'], rows: [{ id: 'o1' }, { id: 'o2' }], truncated: true });
      const exact = await limited.run(fixture.workspace.id, 'SELECT id FROM ds_orders WHERE id <> ? ORDER BY id'.replace('?', "'o3'"));
      expect(exact.truncated).toBe(false);
    } finally {
      await limited.close();
    }
    // The default limit is 1000 rows, over a result of any length.
    const many = await run('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n');
    expect(many.rows).toHaveLength(1000);
    expect(many.rows.at(-1)).toEqual({ i: 1000 });
    expect(many.truncated).toBe(true);
  });

  it('[ACC-04] queries run in a child process that gets the key only over IPC: not in its command line or environment', async () => {
    await run('SELECT 1');
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          // The parent pid is the 4th field of /proc/<pid>/stat, after the parenthesised command name.
          return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(process.pid);
        } catch {
          return false;
        }
      })
      .filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('mcp/sql/worker.ts'));
    expect(children.length).toBeGreaterThan(0);
    const keyForms = [fixture.key.toString('hex'), fixture.key.toString('base64'), fixture.key.toString('base64url')];
    for (const pid of children) {
      const seen = readFileSync(`/proc/${pid}/cmdline`, 'utf8') + readFileSync(`/proc/${pid}/environ`, 'utf8');
      for (const form of keyForms) expect(seen.toLowerCase()).not.toContain(form.toLowerCase());
      // Nothing of the server's environment: only what Node sets up for the IPC channel.
      const names = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((entry) => entry.split('=')[0]);
      expect(names.filter((name) => !name?.startsWith('NODE_CHANNEL_'))).toEqual([]);
    }
  });

  it('[ACC-04] duplicate result names stay separate columns, and blobs come back as hex text', async () => {
    const result = await run(`SELECT id, id, x'00ff' AS raw FROM ds_orders WHERE id = 'o1'`);
    expect(result).toEqual({ columns: ['id', 'id_2', 'raw'], rows: [{ id: 'o1', id_2: 'o1', raw: "X'00FF'" }], truncated: false });
  });
});
