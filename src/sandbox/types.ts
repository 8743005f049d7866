/** Per-step limits. Every one is enforced by the host, never by code inside the sandbox. */
export interface SandboxLimits {
  /** QuickJS heap limit for the step's runtime. */
  memoryBytes: number;
  /** QuickJS stack limit; deep recursion fails with `stack` instead of overrunning the WASM stack. */
  stackBytes: number;
  /** Wall-clock deadline for the whole step, including time spent waiting on host calls. */
  timeoutMs: number;
  /** Largest JSON output (UTF-8 bytes) a step may return. */
  outputBytes: number;
  /** Console output kept per step (UTF-8 bytes); the rest is dropped and `logsTruncated` set. */
  logBytes: number;
  /** Outbound HTTP requests one step may make. */
  maxRequests: number;
  /** Largest request body the code may send and response body it may receive. */
  bodyBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 32 * 2 ** 20,
  stackBytes: 256 * 2 ** 10,
  timeoutMs: 5_000,
  outputBytes: 2 ** 20,
  logBytes: 64 * 2 ** 10,
  maxRequests: 50,
  bodyBytes: 2 ** 20,
};

/**
 * What the host adds to a request made with a credential handle. Built outside the sandbox
 * (by the vault wiring, see credentials.ts) so this folder never decrypts anything itself.
 */
export interface CredentialGrant {
  /** Hosts (`name` or `name:port`) this credential may be sent to; also subject to the node's hosts. */
  hosts: readonly string[];
  /** Headers the host sets on the outgoing request, overriding any the code set with the same name. */
  headers: Readonly<Record<string, string>>;
  /** Every form of the secret that must never reach the code: masked in responses, logs and output. */
  secrets: readonly string[];
}

/** The node's scope: what the step's code may reach through host functions (WFL-07). */
export interface StepScope {
  /** Hosts (`name` or `name:port`; without a port only 80 and 443) the node declares. Empty: no outbound HTTP. */
  hosts: readonly string[];
  /** Resolves an opaque handle the code passed as `credential`; undefined means unknown or not usable by this node. */
  credentialFor?: (handle: string) => CredentialGrant | undefined | Promise<CredentialGrant | undefined>;
}

export interface StepRequest {
  /** The body of an async function with one parameter, `input`; its return value is the step's output. */
  code: string;
  /** Any JSON value; it arrives in the sandbox as a fresh copy. */
  input?: unknown;
  scope?: StepScope;
  /** Tightens (or loosens) the sandbox's limits for this step. */
  limits?: Partial<SandboxLimits>;
}

export interface LogLine {
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  message: string;
}

/** Counted for credits: every call into the host, and the outbound requests among them. */
export interface StepMeter {
  hostCalls: number;
  httpRequests: number;
  durationMs: number;
}

export type StepErrorCode = 'timeout' | 'memory' | 'stack' | 'output_too_large' | 'error';

interface StepRecord {
  logs: LogLine[];
  logsTruncated: boolean;
  meter: StepMeter;
}

export type StepResult = (StepRecord & { ok: true; output: unknown }) | (StepRecord & { ok: false; code: StepErrorCode; message: string });
