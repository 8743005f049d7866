import type { SqliteDatabase } from '../../core/database.ts';
import { openQueryHandle, readRows } from './execute.ts';
import { checkQuery, SqlRefusal } from './guard.ts';
import type { QueryRequest, QueryResponse } from './protocol.ts';

/**
 * The query worker: a child process of the server that runs one client statement at a time
 * (ACC-04). It is a process and not a worker thread because a runaway query is native code
 * inside SQLite: better-sqlite3 exposes neither sqlite3_interrupt nor a progress handler, and
 * a thread busy in native code cannot be stopped, only a process killed (SIGKILL). The parent
 * kills it on timeout and starts a fresh one.
 *
 * Each query gets a handle of its own, closed afterwards: opening with a raw key costs no key
 * derivation, and a cached handle would keep reading a workspace file after it was replaced
 * (restored, rotated) or deleted.
 */
function answer(request: QueryRequest): QueryResponse {
  let db: SqliteDatabase;
  try {
    db = openQueryHandle(request.path, Buffer.from(request.key));
  } catch {
    return { id: request.id, ok: false, unavailable: true };
  } finally {
    request.key.fill(0);
  }
  try {
    const query = checkQuery(db, request.sql);
    return { id: request.id, ok: true, result: readRows(query, request.maxRows, request.maxBytes) };
  } catch (error) {
    if (error instanceof SqlRefusal) return { id: request.id, ok: false, refusal: { code: error.code, message: error.message } };
    // A run-time error (malformed JSON, integer overflow, a parameter left unbound): SQLite's own
    // message, which names no path (the statement cannot attach or vacuum into a file) and no key.
    const message = error instanceof Error ? error.message.slice(0, 300) : 'the statement failed';
    return { id: request.id, ok: false, refusal: { code: 'sql_failed', message: `the statement failed: ${message}` } };
  } finally {
    db.close();
  }
}

process.on('message', (request: QueryRequest) => {
  process.send?.(answer(request));
});
// The server going away closes the channel; nothing is left to answer.
process.on('disconnect', () => process.exit(0));
// Modules are loaded: the parent starts a statement's clock only from here.
process.send?.('ready');
