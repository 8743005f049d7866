/**
 * The baseline for the MCP benchmark: the same query tool served by the same MCP SDK
 * (stateless Streamable HTTP, JSON answers) over a plain, unencrypted SQLite file holding
 * the same rows — with no authentication, authorization, audit or rate limit. Prints its port.
 * Usage: node scripts/bench/mcp-baseline-server.ts <sqlite file> <rows>
 */
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { McpServer } from '@modelcontextprotocol/server';
import Database from 'better-sqlite3-multiple-ciphers';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

const [file, count] = process.argv.slice(2);
const db = new Database(file!);
db.exec('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, customer TEXT, amount REAL, status TEXT) WITHOUT ROWID');
const insert = db.prepare('INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?)');
db.transaction(() => {
  for (let i = 0; i < Number(count); i += 1) insert.run(`o${String(i).padStart(6, '0')}`, `customer ${i % 97}`, (i * 7) % 1000, i % 3 === 0 ? 'paid' : 'open');
})();
const page = db.prepare('SELECT id, customer, amount, status FROM orders ORDER BY id LIMIT ? OFFSET ?');

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    void (async () => {
      const mcp = new McpServer({ name: 'baseline', version: '1.0.0' });
      mcp.registerTool(
        'query_dataset',
        { inputSchema: z.object({ dataset: z.string(), limit: z.number().int().default(100), offset: z.number().int().default(0) }) },
        async ({ limit, offset }) => {
          const rows = page.all(limit + 1, offset);
          const result = { rows: rows.slice(0, limit), more: rows.length > limit };
          return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
        },
      );
      const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await mcp.connect(transport);
      response.on('close', () => void mcp.close());
      await transport.handleRequest(request, response, JSON.parse(Buffer.concat(chunks).toString('utf8')));
    })();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
