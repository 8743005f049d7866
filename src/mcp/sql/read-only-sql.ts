import { fork, type ChildProcess } from 'node:child_process';
import { AppError } from '../../core/errors.ts';
import type { QueryRequest, QueryResponse } from './protocol.ts';

export interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
  truncated: boolean;
}

export interface ReadOnlySqlDeps {
  /** The workspace's database file (workspaceDatabasePath(dataDir, id)). */
  databasePath(workspaceId: string): string;
  /** The workspace's 32-byte database key (deriveWorkspaceKey(seed, id, 'db')). */
  databaseKey(workspaceId: string): Buffer;
  /** Rows returned at most; more are cut and the result says truncated. Default 1000. */
  maxRows?: number;
  /** How long one statement may run before its process is killed. Default 5000. */
  timeoutMs?: number;
}

/** Values (roughly characters) returned at most, so a result stays a sensible MCP message. */
const MAX_RESULT_BYTES = 4 * 1024 * 1024;
/** A statement's text at most: far beyond any hand-written query, far below SQLite's own limit. */
export const MAX_SQL_LENGTH = 100_000;
/** Statements waiting behind the running one; more are turned away rather than queued for minutes. */
const MAX_WAITING = 32;

interface Job {
  workspaceId: string;
  sql: string;
  resolve(result: SqlResult): void;
  reject(error: Error): void;
}

interface Running {
  job: Job;
  id: number;
  request: QueryRequest;
  /** Set once the request went to the worker: the time limit counts from then, not from the worker's start-up. */
  timer: NodeJS.Timeout | undefined;
}

const WORKER = new URL('./worker.ts', import.meta.url);

/**
 * ACC-04: the read-only SQL behind the MCP `sql_query` tool. Statements run one at a time in
 * a child process (src/mcp/sql/worker.ts) on a read-only handle, after a check of the
 * compiled statement (guard.ts); a statement over its time is stopped by killing that process,
 * and the next one gets a fresh process. Refusals are AppErrors (400) with stable codes.
 */
export class ReadOnlySql {
  readonly #deps: ReadOnlySqlDeps;
  readonly #maxRows: number;
  readonly #timeoutMs: number;
  readonly #waiting: Job[] = [];
  #worker: ChildProcess | undefined;
  /** The worker has loaded its modules and waits for requests. */
  #ready = false;
  #running: Running | undefined;
  #nextId = 1;
  #closed = false;

  constructor(deps: ReadOnlySqlDeps) {
    this.#deps = deps;
    this.#maxRows = deps.maxRows ?? 1000;
    this.#timeoutMs = deps.timeoutMs ?? 5000;
  }

  run(workspaceId: string, sql: string): Promise<SqlResult> {
    if (this.#closed) return Promise.reject(new AppError(503, 'sql_unavailable', 'the query service is shutting down'));
    if (sql.length > MAX_SQL_LENGTH) return Promise.reject(new AppError(400, 'sql_too_long', `a statement may be at most ${MAX_SQL_LENGTH} characters`));
    if (this.#waiting.length >= MAX_WAITING) return Promise.reject(new AppError(429, 'sql_busy', 'too many queries are waiting; try again shortly'));
    return new Promise((resolve, reject) => {
      this.#waiting.push({ workspaceId, sql, resolve, reject });
      this.#next();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const stopped = new AppError(503, 'sql_unavailable', 'the query service is shutting down');
    for (const job of this.#waiting.splice(0)) job.reject(stopped);
    if (this.#running) this.#finish(this.#running.id, (job) => job.reject(stopped));
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.kill('SIGKILL');
      await exited;
    }
  }

  #next(): void {
    if (this.#running || this.#closed) return;
    const job = this.#waiting.shift();
    if (!job) return;
    let request: QueryRequest;
    try {
      request = {
        id: this.#nextId++,
        path: this.#deps.databasePath(job.workspaceId),
        key: this.#deps.databaseKey(job.workspaceId),
        sql: job.sql,
        maxRows: this.#maxRows,
        maxBytes: MAX_RESULT_BYTES,
      };
    } catch (error) {
      job.reject(error instanceof Error ? error : new Error('the workspace could not be resolved'));
      this.#next();
      return;
    }
    this.#running = { job, id: request.id, request, timer: undefined };
    this.#spawn();
    this.#hold(true);
    this.#dispatch();
  }

  #dispatch(): void {
    const running = this.#running;
    if (!running || running.timer || !this.#worker || !this.#ready) return;
    running.timer = setTimeout(() => this.#timedOut(running.id), this.#timeoutMs);
    this.#worker.send(running.request);
  }

  #spawn(): void {
    if (this.#worker) return;
    // No execArgv and an empty environment: the worker needs neither, and the server's may hold
    // secrets. Type stripping is Node's default. 'advanced' serialization carries keys as bytes.
    const worker = fork(WORKER, [], { execArgv: [], env: {}, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'advanced' });
    worker.on('message', (message: QueryResponse | 'ready') => {
      if (worker !== this.#worker) return;
      if (message === 'ready') {
        this.#ready = true;
        this.#dispatch();
      } else this.#answered(message);
    });
    worker.on('exit', () => this.#exited(worker));
    // Failing to start, or a send on a channel that just closed; without a listener it would throw.
    worker.on('error', () => {
      if (worker !== this.#worker) return;
      this.#kill();
      this.#failRunning();
    });
    this.#worker = worker;
    this.#ready = false;
  }

  #answered(response: QueryResponse): void {
    this.#finish(response.id, (job) => {
      if (response.ok) job.resolve(response.result);
      else if ('refusal' in response) job.reject(new AppError(400, response.refusal.code, response.refusal.message));
      else job.reject(new Error('the workspace database could not be opened for reading'));
    });
  }

  #timedOut(id: number): void {
    this.#finish(id, (job) => job.reject(new AppError(400, 'sql_timeout', `the statement ran longer than ${this.#timeoutMs} ms and was stopped`)));
    this.#kill();
  }

  #exited(worker: ChildProcess): void {
    if (worker !== this.#worker) return;
    this.#worker = undefined;
    this.#failRunning();
  }

  #failRunning(): void {
    const running = this.#running;
    if (!running) return;
    // The process died under a statement (out of memory, a crash in native code), or before it
    // could take one: the statement is not retried, so a broken worker cannot restart forever.
    if (running.timer) this.#finish(running.id, (job) => job.reject(new AppError(400, 'sql_failed', 'the statement stopped the query process')));
    else this.#finish(running.id, (job) => job.reject(new Error('the query process could not start')));
  }

  #kill(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    worker?.kill('SIGKILL');
  }

  /** Settles the running job if it is `id` (a late answer for a killed query is dropped) and starts the next one. */
  #finish(id: number, settle: (job: Job) => void): void {
    const running = this.#running;
    if (!running || running.id !== id) return;
    clearTimeout(running.timer);
    this.#running = undefined;
    settle(running.job);
    this.#hold(false);
    queueMicrotask(() => this.#next());
  }

  /** An idle worker must not keep the server process alive; one with a statement to answer must. */
  #hold(busy: boolean): void {
    const worker = this.#worker;
    if (busy) {
      worker?.ref();
      worker?.channel?.ref();
    } else {
      worker?.unref();
      worker?.channel?.unref();
    }
  }
}
