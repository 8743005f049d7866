import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol.ts';
import { DEFAULT_LIMITS, type CredentialGrant, type SandboxLimits, type StepErrorCode, type StepRequest, type StepResult } from './types.ts';

export interface SandboxOptions {
  /** Defaults for every step; a step's own `limits` override them. */
  limits?: Partial<SandboxLimits>;
  /**
   * Lets code reach loopback, private and link-local addresses. Off by default: a workflow
   * must not reach the server's own ports, the LAN or a cloud metadata service. For
   * deployments whose tools live on a private network, and for tests with a local server.
   */
  allowPrivateAddresses?: boolean;
  /** Worker threads, each running one step at a time; more steps wait in line. */
  workers?: number;
}

/**
 * How long past its deadline a step may go before its thread is terminated. The worker
 * reports an ordinary timeout itself at the next interrupt poll; this is for the built-in
 * calls that do not poll (see worker.ts).
 */
const WATCHDOG_GRACE_MS = 250;

interface Job {
  request: StepRequest;
  inputJson: string;
  limits: SandboxLimits;
  resolve(result: StepResult): void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  isReady: boolean;
  /** Whether the thread ever loaded its module. */
  started: boolean;
  step: number;
  job?: Job;
  watchdog?: NodeJS.Timeout;
}

function failed(code: StepErrorCode, message: string): StepResult {
  return { ok: false, code, message, logs: [], logsTruncated: false, meter: { hostCalls: 0, httpRequests: 0, durationMs: 0 } };
}

/** A grant crosses to the worker by structured clone; only its three plain fields go, as strings. */
function plainGrant(grant: CredentialGrant | undefined): CredentialGrant | undefined {
  if (!grant) return undefined;
  return {
    hosts: [...grant.hosts].map(String),
    headers: Object.fromEntries(Object.entries(grant.headers).map(([name, value]) => [String(name), String(value)])),
    secrets: [...grant.secrets].map(String),
  };
}

/**
 * The sandbox for workflow code steps (WFL-02, WFL-03, WFL-07), as a service: `run` takes
 * code, a JSON input and the node's scope, and always resolves to a step record.
 *
 * Each worker thread loads the QuickJS WebAssembly module (the synchronous release build)
 * once; every step gets a fresh runtime and context inside it, so nothing carries over
 * between steps. The synchronous build rather than asyncify: asyncify suspends the whole
 * module for one host call at a time; promise bridging needs no suspension at all. A step
 * that overruns its deadline by more than a grace period has its thread terminated and
 * replaced, so no step can hold the server's event loop.
 */
export class Sandbox {
  readonly #limits: SandboxLimits;
  readonly #allowPrivateAddresses: boolean;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #closed = false;

  private constructor(options: SandboxOptions) {
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#allowPrivateAddresses = options.allowPrivateAddresses ?? false;
    for (let i = 0; i < Math.max(1, options.workers ?? 2); i++) this.#slots.push(this.#spawn());
  }

  /** Starts the worker threads and waits until each has loaded its module; rejects if one cannot start. */
  static async create(options: SandboxOptions = {}): Promise<Sandbox> {
    const sandbox = new Sandbox(options);
    try {
      await Promise.all(sandbox.#slots.map((slot) => slot.ready));
    } catch (error) {
      await sandbox.close();
      throw error;
    }
    return sandbox;
  }

  /** Runs one step. Never rejects: every failure, the sandbox's own included, is an `{ ok: false }` result. */
  run(request: StepRequest): Promise<StepResult> {
    if (this.#closed) return Promise.resolve(failed('error', 'the sandbox is closed'));
    if (this.#slots.length === 0) return Promise.resolve(failed('error', 'the sandbox failed'));
    let inputJson: string;
    try {
      inputJson = JSON.stringify(request.input ?? null);
    } catch {
      return Promise.resolve(failed('error', 'the input is not JSON'));
    }
    return new Promise((resolve) => {
      this.#queue.push({ request, inputJson, limits: { ...this.#limits, ...request.limits }, resolve });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.resolve(failed('error', 'the sandbox is closed'));
    await Promise.all(
      this.#slots.map((slot) => {
        clearTimeout(slot.watchdog);
        slot.job?.resolve(failed('error', 'the sandbox is closed'));
        slot.job = undefined;
        return slot.worker.terminate();
      }),
    );
  }

  #spawn(): Slot {
    // Idle workers must not keep a process alive that has nothing else to do; starting and busy ones do.
    const worker = new Worker(new URL('./worker.ts', import.meta.url));
    let markReady!: () => void;
    let failStart!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    // Only Sandbox.create awaits this; a replacement's start failure is handled on exit.
    ready.catch(() => undefined);
    const slot: Slot = { worker, ready, isReady: false, started: false, step: 0 };
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        slot.isReady = true;
        slot.started = true;
        markReady();
        this.#dispatch();
        if (!slot.job) worker.unref();
      } else if (message.type === 'credential') {
        void this.#answerCredential(slot, message);
      } else if (message.step === slot.step && slot.job) {
        // A worker whose module cannot be reused exits next; it takes no further step.
        if (!message.reusable) slot.isReady = false;
        this.#finish(slot, message.result);
        this.#dispatch();
      }
    });
    // A worker that dies (its module aborted, or the watchdog ended it) is replaced.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      clearTimeout(slot.watchdog);
      slot.isReady = false;
      if (slot.job) this.#finish(slot, failed('error', 'the sandbox failed'));
      const index = this.#slots.indexOf(slot);
      if (index < 0 || this.#closed) return;
      if (!slot.started) {
        // A thread that cannot even load the module would fail the same way again: no respawn loop.
        failStart(new Error('a sandbox worker failed to start'));
        this.#slots.splice(index, 1);
        if (this.#slots.length === 0) for (const job of this.#queue.splice(0)) job.resolve(failed('error', 'the sandbox failed'));
        return;
      }
      this.#slots[index] = this.#spawn();
      this.#dispatch();
    });
    return slot;
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (!slot.isReady || slot.job) continue;
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.step++;
      const message: ToWorker = {
        type: 'run',
        step: slot.step,
        code: job.request.code,
        inputJson: job.inputJson,
        hosts: [...(job.request.scope?.hosts ?? [])].map(String),
        limits: job.limits,
        allowPrivateAddresses: this.#allowPrivateAddresses,
      };
      slot.worker.ref();
      slot.worker.postMessage(message);
      slot.watchdog = setTimeout(() => {
        slot.isReady = false;
        this.#finish(slot, failed('timeout', 'the step ran past its deadline'));
        void slot.worker.terminate();
      }, job.limits.timeoutMs + WATCHDOG_GRACE_MS);
    }
  }

  #finish(slot: Slot, result: StepResult): void {
    clearTimeout(slot.watchdog);
    // A worker on its way out stays referenced until its exit has started a replacement.
    if (slot.isReady) slot.worker.unref();
    const job = slot.job;
    slot.job = undefined;
    job?.resolve(result);
  }

  /** The caller's resolver runs here, on the main thread; only the grant's data goes to the worker. */
  async #answerCredential(slot: Slot, message: { step: number; id: number; handle: string }): Promise<void> {
    const job = slot.job;
    let grant: CredentialGrant | undefined;
    if (job && message.step === slot.step) {
      try {
        grant = plainGrant(await job.request.scope?.credentialFor?.(message.handle));
      } catch {
        // A resolver failure (disabled credential, vault error) is an unusable handle to the code.
        grant = undefined;
      }
    }
    const reply: ToWorker = { type: 'grant', id: message.id, grant: slot.job === job && message.step === slot.step ? grant : undefined };
    slot.worker.postMessage(reply);
  }
}
