/**
 * The baseline for the full-stack read: a bare Fastify route reading the same row from a
 * plain (unencrypted) SQLite file, with no auth, rate limit, logging or headers.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';

const db = new Database(process.argv[2]!);
db.pragma('journal_mode = WAL');
db.exec('CREATE TABLE IF NOT EXISTS workspace_profile (id INTEGER PRIMARY KEY, display_name TEXT NOT NULL, description TEXT NOT NULL, updated_at TEXT NOT NULL)');
db.prepare("INSERT OR REPLACE INTO workspace_profile VALUES (1, 'Bench Co', 'a workspace for benchmarks', ?)").run(new Date().toISOString());
const read = db.prepare('SELECT display_name, description, updated_at FROM workspace_profile WHERE id = 1');
const app = Fastify({ logger: false });
app.get('/profile', async () => {
  const row = read.get() as { display_name: string; description: string; updated_at: string };
  return { displayName: row.display_name, description: row.description, updatedAt: row.updated_at };
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${(app.server.address() as AddressInfo).port}\n`);
