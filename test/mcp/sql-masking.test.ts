import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadOnlySql } from '../../src/mcp/sql/read-only-sql.ts';
import { BALANCE, CARD, refusal, SSN, startSqlFixture, TAX_ID, type SqlFixture } from './sql-fixture.ts';

const MASK = '[REDACTED:sensitive]';
const CANARIES = [TAX_ID, String(BALANCE), CARD, SSN];

describe('read-only SQL: sensitive dataset columns stay masked', () => {
  let fixture: SqlFixture;
  let sql: ReadOnlySql;
  const answers: unknown[] = [];

  beforeAll(async () => {
    fixture = await startSqlFixture();
    sql = fixture.sql();
  });
  afterAll(async () => {
    await sql.close();
    await fixture.enclave.close();
  });

  const run = async (text: string) => {
    const result = await sql.run(fixture.workspace.id, text);
    answers.push(result);
    return result;
  };

  it('[LOG-05] a sensitive column selected directly, under an alias, with *, through a subquery or a join comes back masked', async () => {
    expect((await run('SELECT * FROM ds_customers ORDER BY id')).rows).toEqual([
      { id: 1, name: 'Ada', tax_id: MASK, balance: MASK, note: 'card [REDACTED:card]' },
      // An empty cell stays empty, as in the rows API.
      { id: 2, name: 'Charles', tax_id: null, balance: MASK, note: 'no payment yet' },
      { id: 3, name: 'Grace', tax_id: MASK, balance: MASK, note: null },
    ]);
    expect((await run('SELECT tax_id AS harmless, balance AS "total" FROM ds_customers WHERE id = 1')).rows).toEqual([{ harmless: MASK, total: MASK }]);
    expect((await run('SELECT TAX_ID AS t, "Balance" FROM DS_CUSTOMERS WHERE ID = 1')).rows).toEqual([{ t: MASK, balance: MASK }]);
    expect((await run('SELECT t FROM (SELECT tax_id AS t, id FROM ds_customers ORDER BY id LIMIT 1)')).rows).toEqual([{ t: MASK }]);
    expect((await run('WITH c AS (SELECT id, tax_id FROM ds_customers) SELECT c.tax_id FROM c WHERE c.id = 1')).rows).toEqual([{ tax_id: MASK }]);
    expect(
      (await run('SELECT o.id, c.tax_id FROM ds_orders AS o JOIN ds_customers AS c ON c.id = o.customer_id WHERE o.id = ' + "'o1'")).rows,
    ).toEqual([{ id: 'o1', tax_id: MASK }]);
    // A sensitive key column too: a plain scan of the table reads it once, for the result.
    expect((await run('SELECT * FROM ds_people')).rows).toEqual([{ nickname: 'Ace', ssn: MASK }]);
  });

  it('[LOG-05] computed columns are masked whenever the statement reads a sensitive column, and not otherwise', async () => {
    expect((await run(`SELECT tax_id, upper(name) AS shout, 1 + 1 AS two FROM ds_customers WHERE id = 1`)).rows).toEqual([
      { tax_id: MASK, shout: MASK, two: MASK },
    ]);
    expect((await run(`SELECT upper(name) AS shout, 1 + 1 AS two FROM ds_customers WHERE id = 1`)).rows).toEqual([{ shout: 'ADA', two: 2 }]);
    // json_each's columns are computed: masked next to a sensitive column.
    expect((await run(`SELECT c.balance, j.value FROM ds_customers AS c, json_each('[1]') AS j WHERE c.id = 1`)).rows).toEqual([{ balance: MASK, value: MASK }]);
  });

  it('[LOG-05] a sensitive column cannot be filtered, sorted, grouped, joined, searched by key or computed on', async () => {
    const attempts = [
      `SELECT name FROM ds_customers WHERE tax_id LIKE 'TAXID-C%'`,
      `SELECT tax_id FROM ds_customers WHERE tax_id = '${TAX_ID}'`,
      `SELECT name FROM ds_customers ORDER BY balance`,
      `SELECT count(*) FROM ds_customers GROUP BY tax_id`,
      `SELECT upper(tax_id) FROM ds_customers`,
      `SELECT length(tax_id) AS n FROM ds_customers`,
      `SELECT sum(balance) FROM ds_customers`,
      `SELECT max(balance) FROM ds_customers`,
      `SELECT balance * 1 AS b FROM ds_customers`,
      `SELECT j.value FROM ds_customers AS c, json_each(json_array(c.tax_id)) AS j`,
      `SELECT name FROM ds_customers AS a WHERE EXISTS (SELECT 1 FROM ds_customers AS b WHERE b.balance > 50000 AND b.id = a.id)`,
      `SELECT tax_id FROM ds_customers UNION SELECT tax_id FROM ds_customers`,
      `SELECT nickname FROM ds_people WHERE ssn = '${SSN}'`,
      `SELECT nickname FROM ds_people WHERE ssn > 'S'`,
      `SELECT p.nickname FROM ds_customers AS c JOIN ds_people AS p ON p.ssn = c.note`,
      // Guesses compared with a value held aside, read from the table only once:
      `SELECT x FROM (SELECT tax_id AS x FROM ds_customers LIMIT 9) WHERE x = '${TAX_ID}'`,
      `SELECT tax_id FROM ds_customers UNION SELECT '${TAX_ID}'`,
      `SELECT DISTINCT x FROM (SELECT tax_id AS x FROM ds_customers UNION ALL SELECT '${TAX_ID}')`,
      `SELECT c.tax_id FROM (VALUES ('${TAX_ID}')) AS v JOIN ds_customers AS c ON c.tax_id = v.column1`,
      `WITH m AS MATERIALIZED (SELECT tax_id FROM ds_customers) SELECT tax_id FROM m WHERE tax_id = '${TAX_ID}'`,
      `SELECT tax_id, name FROM ds_customers ORDER BY name`,
      `SELECT x FROM (SELECT (SELECT tax_id FROM ds_customers WHERE id = 1) AS x) WHERE x = '${TAX_ID}'`,
      `SELECT (SELECT tax_id FROM ds_customers WHERE id = 1) AS x FROM ds_orders WHERE (SELECT tax_id FROM ds_customers WHERE id = 1) = '${TAX_ID}'`,
      `SELECT ssn, nickname FROM ds_people WHERE ssn IN (VALUES ('${SSN}'))`,
    ];
    for (const text of attempts) {
      const error = await refusal(fixture, run(text));
      expect([error.statusCode, error.code], text).toEqual([400, 'sql_sensitive_column']);
    }
  });

  it('[LOG-05] no sensitive value reached an answer or the logs', () => {
    const text = JSON.stringify(answers);
    for (const canary of CANARIES) expect(text).not.toContain(canary);
    const logs = fixture.enclave.logs.join('\n');
    for (const canary of [TAX_ID, CARD, SSN]) expect(logs).not.toContain(canary);
  });
});
