import type { SqlResult } from './read-only-sql.ts';

/**
 * Messages between ReadOnlySql (the server process) and the query worker (a child process).
 * The workspace key travels only in a QueryRequest over the IPC channel: never in argv or the
 * environment, where other processes on the machine (ps, /proc/<pid>/environ) could read it.
 */
export interface QueryRequest {
  id: number;
  path: string;
  key: Uint8Array;
  sql: string;
  maxRows: number;
  maxBytes: number;
}

export type QueryResult = SqlResult;

/** A refusal the client may see: a stable code and a message free of paths and keys. */
export interface QueryRefusal {
  code: string;
  message: string;
}

export type QueryResponse =
  | { id: number; ok: true; result: QueryResult }
  | { id: number; ok: false; refusal: QueryRefusal }
  /** The database could not be opened: a server fault, whose details stay in the worker. */
  | { id: number; ok: false; unavailable: true };
