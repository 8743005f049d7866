import { Scope, type QuickJSContext, type QuickJSDeferredPromise, type QuickJSHandle, type QuickJSWASMModule } from 'quickjs-emscripten';
import { PRELUDE } from './bootstrap.ts';
import { HostCallError, outboundRequest } from './http.ts';
import { LogBuffer } from './logs.ts';
import { SecretMask, maskJson } from './mask.ts';
import type { SandboxLimits, StepErrorCode, StepResult, StepScope } from './types.ts';

const MESSAGE_CHARS = 1000;

export const SANDBOX_FAILED: StepResult = { ok: false, code: 'error', message: 'the sandbox failed', logs: [], logsTruncated: false, meter: { hostCalls: 0, httpRequests: 0, durationMs: 0 } };

type Failure = { code: StepErrorCode; message: string };

/** The guest's own description of what it threw, mapped to the limit it hit, if any. */
const LIMIT_ERRORS: Record<string, Failure> = {
  'InternalError: interrupted': { code: 'timeout', message: 'the step ran past its deadline' },
  'InternalError: out of memory': { code: 'memory', message: 'the step ran out of memory' },
  'InternalError: stack overflow': { code: 'stack', message: 'the step overflowed its stack (too deep recursion)' },
};

/**
 * One step in its own QuickJS runtime and context, created here and disposed before
 * returning (WFL-02, WFL-03): nothing the code does survives the step, and the only ways
 * out are the host functions installed here, `console` and `http`. Host calls are promises inside
 * the sandbox; this driver runs the guest's job queue, waits for the next host call to
 * finish (or the deadline), hands the result in, and repeats until the step's promise
 * settles. Only this loop touches the context, so a host call finishing after the step
 * ended finds nothing to write into. `reusable` is false when the runtime could not be
 * freed cleanly; the module must then be discarded (its worker is replaced).
 */
export async function runStep(
  module: QuickJSWASMModule,
  request: { code: string; inputJson: string; scope: StepScope },
  limits: SandboxLimits,
  allowPrivateAddresses: boolean,
): Promise<{ result: StepResult; reusable: boolean }> {
  const started = performance.now();
  const deadline = started + limits.timeoutMs;
  const logs = new LogBuffer(limits.logBytes);
  const mask = new SecretMask();
  const meter = { hostCalls: 0, httpRequests: 0 };
  const abort = new AbortController();
  const deferreds: QuickJSDeferredPromise[] = [];
  const finished: (() => void)[] = [];
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const scope = new Scope();

  const runtime = module.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(limits.stackBytes);
  runtime.setInterruptHandler(() => performance.now() > deadline);
  const vm = runtime.newContext();

  const record = (outcome: { ok: true; output: unknown } | ({ ok: false } & Failure)): StepResult => ({
    ...outcome,
    ...(outcome.ok ? {} : { message: mask.apply(outcome.message) }),
    logs: logs.lines.map((line) => ({ level: line.level, message: mask.apply(line.message) })),
    logsTruncated: logs.truncated,
    meter: { ...meter, durationMs: performance.now() - started },
  });

  const call = (fn: QuickJSHandle, ...args: QuickJSHandle[]) => vm.callFunction(fn, vm.undefined, ...args);
  // Built-ins captured before the step's code runs: code that replaces JSON.stringify only breaks its own output.
  const json = scope.manage(vm.getProp(vm.global, 'JSON'));
  const stringify = scope.manage(vm.getProp(json, 'stringify'));
  const parse = scope.manage(vm.getProp(json, 'parse'));
  const objectConstructor = scope.manage(vm.getProp(vm.global, 'Object'));
  const freeze = scope.manage(vm.getProp(objectConstructor, 'freeze'));

  /** A logged value as text: strings as they are, anything else as JSON, or its type when it has none. */
  const format = (value: QuickJSHandle): string => {
    const type = vm.typeof(value);
    if (type === 'string') return vm.getString(value);
    const text = call(stringify, value);
    if (text.error) {
      text.error.dispose();
      return `[${type}]`;
    }
    return text.value.consume((handle) => (vm.typeof(handle) === 'string' ? vm.getString(handle) : `[${type}]`));
  };

  const install = (name: string, members: Record<string, QuickJSHandle>) => {
    const object = scope.manage(vm.newObject());
    for (const [key, value] of Object.entries(members)) vm.setProp(object, key, scope.manage(value));
    call(freeze, object).dispose();
    vm.defineProp(vm.global, name, { value: object, configurable: false, enumerable: false });
  };

  const logger = (level: string) =>
    vm.newFunction(level, (...args) => {
      meter.hostCalls++;
      // Once the budget is spent nothing more is copied out, so a logging loop costs only its own time.
      if (logs.truncated) return;
      logs.add(level, args.map(format).join(' '));
    });
  install('console', Object.fromEntries(['log', 'info', 'warn', 'error', 'debug'].map((level) => [level, logger(level)])));

  const httpRequest = vm.newFunction('request', (options) => {
    meter.hostCalls++;
    const deferred = vm.newPromise();
    deferreds.push(deferred);
    const settle = (apply: () => void) => {
      finished.push(apply);
      wake?.();
    };
    const refuse = (error: unknown) => settle(() => rejectWith(vm, deferred, error));
    const serialized = options === undefined ? undefined : call(stringify, options);
    if (!serialized || serialized.error || vm.typeof(serialized.value) !== 'string') {
      serialized?.dispose();
      refuse(new HostCallError('invalid_request', 'http.request takes an options object'));
    } else if (meter.httpRequests >= limits.maxRequests) {
      serialized.dispose();
      refuse(new HostCallError('request_limit', `a step may make at most ${limits.maxRequests} requests`));
    } else {
      const raw = serialized.value.consume((handle) => vm.getString(handle));
      meter.httpRequests++;
      inFlight++;
      const context = { scope: request.scope, allowPrivateAddresses, mask, signal: abort.signal, bodyBytes: limits.bodyBytes };
      outboundRequest(raw, context)
        .then(
          (response) =>
            settle(() => {
              const value = vm.newString(response).consume((text) => vm.unwrapResult(call(parse, text)));
              value.consume((handle) => deferred.resolve(handle));
            }),
          refuse,
        )
        .finally(() => inFlight--);
    }
    return deferred.handle;
  });
  install('http', { request: httpRequest });

  const failure = (error: QuickJSHandle, describe: QuickJSHandle | undefined): Failure => {
    if (performance.now() > deadline) return LIMIT_ERRORS['InternalError: interrupted']!;
    const described = describe ? call(describe, error) : undefined;
    if (!described || described.error) {
      described?.dispose();
      // Reading the exception can itself run guest code (a getter) into the deadline.
      if (performance.now() > deadline) return LIMIT_ERRORS['InternalError: interrupted']!;
      return { code: 'error', message: 'the step failed with an exception that could not be read' };
    }
    const text = described.value.consume((value) => (vm.typeof(value) === 'string' ? vm.getString(value) : ''));
    return LIMIT_ERRORS[text] ?? { code: 'error', message: text.slice(0, MESSAGE_CHARS) };
  };

  const drive = async (): Promise<StepResult> => {
    const prelude = vm.evalCode(PRELUDE, 'prelude.js');
    if (prelude.error) return record({ ok: false, ...failure(scope.manage(prelude.error), undefined) });
    const helpers = scope.manage(prelude.value);
    const [asyncFunction, describe] = [0, 1].map((index) => scope.manage(vm.getProp(helpers, index)));

    const compiled = call(asyncFunction!, scope.manage(vm.newString('input')), scope.manage(vm.newString(request.code)));
    if (compiled.error) return record({ ok: false, ...failure(scope.manage(compiled.error), describe) });
    const input = call(parse, scope.manage(vm.newString(request.inputJson)));
    if (input.error) return record({ ok: false, ...failure(scope.manage(input.error), describe) });
    const invoked = call(scope.manage(compiled.value), scope.manage(input.value));
    if (invoked.error) return record({ ok: false, ...failure(scope.manage(invoked.error), describe) });
    const promise = scope.manage(invoked.value);

    for (;;) {
      const jobs = runtime.executePendingJobs();
      if (jobs.error) return record({ ok: false, ...failure(scope.manage(jobs.error), describe) });
      if (finished.length > 0) {
        for (const apply of finished.splice(0)) {
          try {
            apply();
          } catch {
            // Settling failed inside the guest (its deadline or memory); the next turn of the loop reports that.
          }
        }
        continue;
      }
      // An interrupted promise job does not fail executePendingJobs (it rejects a derived
      // promise instead), so the deadline is checked here, before any result is taken.
      if (performance.now() > deadline) return record({ ok: false, ...LIMIT_ERRORS['InternalError: interrupted']! });
      const state = vm.getPromiseState(promise);
      if (state.type === 'rejected') return record({ ok: false, ...failure(scope.manage(state.error), describe) });
      if (state.type === 'fulfilled') return record(output(vm, scope.manage(state.value), stringify, describe!, limits, mask, failure));
      if (inFlight === 0) return record({ ok: false, code: 'error', message: 'the step awaits a promise that nothing will settle' });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - performance.now() + 1);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };

  let result: StepResult | undefined;
  try {
    result = await drive();
  } catch {
    result = undefined;
  }
  abort.abort();
  // A step cut off at its deadline can leave QuickJS state (queued jobs, suspended async
  // frames) that keeps objects alive, and freeing a runtime with live objects aborts the
  // whole module. Such a runtime is not freed at all: the module is discarded instead
  // (its worker replaced), which costs a thread start only after a timeout.
  if (!result || (!result.ok && result.code === 'timeout')) return { result: result ?? SANDBOX_FAILED, reusable: false };
  try {
    for (const deferred of deferreds) deferred.dispose();
    scope.dispose();
    vm.dispose();
    runtime.dispose();
    return { result, reusable: true };
  } catch {
    return { result, reusable: false };
  }
}

function output(
  vm: QuickJSContext,
  value: QuickJSHandle,
  stringify: QuickJSHandle,
  describe: QuickJSHandle,
  limits: SandboxLimits,
  mask: SecretMask,
  failure: (error: QuickJSHandle, describe: QuickJSHandle) => Failure,
): { ok: true; output: unknown } | ({ ok: false } & Failure) {
  const serialized = vm.callFunction(stringify, vm.undefined, value);
  if (serialized.error) {
    const cause = serialized.error.consume((error) => failure(error, describe));
    return { ok: false, ...(cause.code === 'error' ? { code: 'error', message: `the output is not JSON: ${cause.message}` } : cause) };
  }
  return serialized.value.consume((text) => {
    // JSON.stringify gives undefined for undefined, functions and symbols: the step returned nothing.
    if (vm.typeof(text) !== 'string') return { ok: true, output: null };
    // UTF-8 needs at least one byte per UTF-16 unit, so an over-long string is refused before it is copied out.
    if (vm.getProp(text, 'length').consume((length) => vm.getNumber(length)) > limits.outputBytes) return tooLarge(limits);
    const json = vm.getString(text);
    if (Buffer.byteLength(json, 'utf8') > limits.outputBytes) return tooLarge(limits);
    return { ok: true, output: maskJson(JSON.parse(json), mask) };
  });
}

function tooLarge(limits: SandboxLimits): { ok: false } & Failure {
  return { ok: false, code: 'output_too_large', message: `the output is over ${limits.outputBytes} bytes of JSON` };
}

/** The code sees an `HttpError` with a stable `code`; anything unexpected becomes a fixed sentence, never a host stack. */
function rejectWith(vm: QuickJSContext, deferred: QuickJSDeferredPromise, error: unknown): void {
  const known = error instanceof HostCallError ? error : new HostCallError('host_error', 'the host could not complete the call');
  vm.newError({ name: 'HttpError', message: `${known.code}: ${known.message}` }).consume((handle) => {
    vm.newString(known.code).consume((code) => vm.setProp(handle, 'code', code));
    deferred.reject(handle);
  });
}
