import type { CredentialGrant, SandboxLimits, StepResult } from './types.ts';

/**
 * Messages between the Sandbox (main thread) and a sandbox worker; plain data, structured-
 * cloned. `step` numbers the steps a worker ran, so a late credential request from a step
 * that already ended is never answered with the next step's credentials.
 */
export type ToWorker =
  | { type: 'run'; step: number; code: string; inputJson: string; hosts: readonly string[]; limits: SandboxLimits; allowPrivateAddresses: boolean }
  | { type: 'grant'; id: number; grant: CredentialGrant | undefined };

export type FromWorker = { type: 'ready' } | { type: 'credential'; step: number; id: number; handle: string } | { type: 'result'; step: number; result: StepResult; reusable: boolean };
