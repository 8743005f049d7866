import Database from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEncryptedDatabase, type SqliteDatabase } from '../../src/core/database.ts';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { timeLoop } from './benchmark.ts';

const ROWS = 20_000;
const SECONDS = 3;

function prepare(db: SqliteDatabase): void {
  db.exec('CREATE TABLE record (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount REAL NOT NULL, note TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO record (id, name, amount, note) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= ROWS; i++) insert.run(i, `customer ${i}`, i * 1.5, 'x'.repeat(120));
  })();
}

async function measure(db: SqliteDatabase): Promise<{ reads: number; inserts: number }> {
  const read = db.prepare('SELECT * FROM record WHERE id = ?');
  const insert = db.prepare('INSERT INTO record (name, amount, note) VALUES (?, ?, ?)');
  let i = 0;
  const reads = await timeLoop(SECONDS, () => {
    read.get((i++ * 7919) % ROWS + 1);
  });
  const inserts = await timeLoop(SECONDS, () => {
    insert.run('new customer', 3.5, 'y'.repeat(120));
  });
  return { reads, inserts };
}

/** (b) The cost of encryption itself: the same schema, data and statements, encrypted and plain. */
export const encryptedStorageBenchmark: Benchmark = {
  name: 'encrypted vs plain workspace database',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-bench-storage-'));
    const encrypted = openEncryptedDatabase(join(dir, 'encrypted.db'), { key: randomBytes(32) });
    const plain = new Database(join(dir, 'plain.db'));
    plain.pragma('journal_mode = WAL');
    plain.pragma('synchronous = NORMAL');
    prepare(encrypted);
    prepare(plain);
    const enc = await measure(encrypted);
    const base = await measure(plain);
    encrypted.close();
    plain.close();
    return [
      { name: 'encrypted point reads', value: enc.reads, unit: 'ops/s', target: 'reported', pass: true },
      { name: 'plain point reads (baseline)', value: base.reads, unit: 'ops/s', target: 'reported', pass: true },
      { name: 'encrypted / plain point reads', value: enc.reads / base.reads, unit: 'ratio', target: '>= 0.9', pass: enc.reads / base.reads >= 0.9 },
      { name: 'encrypted inserts (one per transaction)', value: enc.inserts, unit: 'ops/s', target: 'reported', pass: true },
      { name: 'plain inserts (baseline)', value: base.inserts, unit: 'ops/s', target: 'reported', pass: true },
      { name: 'encrypted / plain inserts', value: enc.inserts / base.inserts, unit: 'ratio', target: '>= 0.9', pass: enc.inserts / base.inserts >= 0.9 },
    ];
  },
};
