import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { StepResult } from '../../src/sandbox/types.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startTestServer();
  sandbox = await Sandbox.create({ limits: { timeoutMs: 1_000, memoryBytes: 16 * 2 ** 20 } });
});

afterAll(async () => {
  await sandbox.close();
  await server.close();
});

/** After every escape attempt: the same sandbox still runs an ordinary step, and the server still answers. */
async function stillServing(): Promise<void> {
  const input = { items: [3, 4, 5] };
  const result = await sandbox.run({ code: 'console.log("summing"); return { total: input.items.reduce((a, b) => a + b, 0) }', input });
  expect(result).toMatchObject({ ok: true, output: { total: 12 }, logs: [{ level: 'log', message: 'summing' }] });
  const health = await server.request('GET', '/healthz');
  expect(health.status).toBe(200);
}

function expectFailure(result: StepResult, code: string): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.code).toBe(code);
  // A structured result, never a host stack trace or a host path.
  expect(result.message).not.toMatch(/node:|\/work\/|at .*\.ts|\.js:\d+/);
}

describe('[WFL-02] sandboxed code cannot reach the host', () => {
  it('[WFL-02] process, require, module, Buffer and other Node globals do not exist inside the sandbox', async () => {
    const result = await sandbox.run({
      code: `return ['process', 'require', 'module', 'exports', 'Buffer', 'global', 'fetch', 'setTimeout', 'XMLHttpRequest', 'WebAssembly', '__dirname']
        .map((name) => typeof globalThis[name])`,
    });
    expect(result).toMatchObject({ ok: true, output: Array(11).fill('undefined') });
    const direct = await sandbox.run({ code: 'return process.env' });
    expectFailure(direct, 'error');
    if (!direct.ok) expect(direct.message).toMatch(/ReferenceError/);
    await stillServing();
  });

  it('[WFL-02] dynamic import() of Node modules is refused', async () => {
    for (const specifier of ['fs', 'node:fs', 'node:child_process', '/etc/passwd', 'data:text/javascript,export default 1']) {
      const result = await sandbox.run({ code: `const m = await import(${JSON.stringify(specifier)}); return Object.keys(m)` });
      expect(result).toMatchObject({ ok: false, code: 'error', message: `ReferenceError: could not load module '${specifier}'` });
    }
    await stillServing();
  });

  it('[WFL-02] Function constructors and constructor chains lead only to the sandbox’s own global', async () => {
    const result = await sandbox.run({
      code: `
        const viaFunction = Function('return this')();
        const viaChain = (() => {}).constructor.constructor('return globalThis')();
        const viaAsync = await (async function () {}).constructor('return this')();
        const viaError = new Error().constructor.constructor('return typeof process')();
        const viaConsole = console.log.constructor('return typeof require')();
        const viaHttp = http.request.constructor.constructor('return typeof process')();
        return {
          same: viaFunction === globalThis && viaChain === globalThis,
          asyncThis: typeof viaAsync,
          viaError, viaConsole, viaHttp,
          globals: Object.getOwnPropertyNames(viaChain).filter((name) => /^[a-z]/.test(name)).sort(),
        };`,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.output).toMatchObject({ same: true, viaError: 'undefined', viaConsole: 'undefined', viaHttp: 'undefined' });
    // Only the language's own functions and the two installed host APIs.
    expect((result.output as { globals: string[] }).globals).toEqual(
      ['console', 'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'eval', 'globalThis', 'http', 'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'undefined', 'unescape'].sort(),
    );
    await stillServing();
  });

  it('[WFL-02] the installed host APIs are read-only to the code', async () => {
    const result = await sandbox.run({
      code: `
        'use strict';
        const attempts = [];
        for (const attempt of [() => { console = {} }, () => { http.request = () => 1 }, () => { delete globalThis.http }, () => { console.log = () => 1 }]) {
          try { attempt(); attempts.push('changed') } catch { attempts.push('refused') }
        }
        return attempts;`,
    });
    expect(result).toMatchObject({ ok: true, output: ['refused', 'refused', 'refused', 'refused'] });
    await stillServing();
  });
});

describe('[WFL-02] limits stop runaway code and the server keeps serving', () => {
  it('[WFL-02] an infinite loop ends at the deadline with code timeout', async () => {
    expectFailure(await sandbox.run({ code: 'while (true) {}' }), 'timeout');
    expectFailure(await sandbox.run({ code: 'for (;;) { try { while (true) {} } catch (e) {} }' }), 'timeout');
    expectFailure(await sandbox.run({ code: 'const loop = () => Promise.resolve().then(loop); loop(); await new Promise(() => {})' }), 'timeout');
    expectFailure(await sandbox.run({ code: 'Promise.resolve().then(() => { while (true) {} }); return "returned before the job ran"' }), 'timeout');
    await stillServing();
  });

  it('[WFL-02] a loop of built-in calls that never polls the interrupt handler is ended, and the server answers meanwhile', async () => {
    const step = sandbox.run({ code: 'const a = new Array(1e6).fill(1); for (;;) a.indexOf(2)' });
    let settled = false;
    void step.then(() => (settled = true));
    const health = await server.request('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(settled).toBe(false);
    expectFailure(await step, 'timeout');
    await stillServing();
  });

  it('[WFL-02] deep recursion fails with code stack', async () => {
    expectFailure(await sandbox.run({ code: 'const f = (n) => f(n + 1) + 1; return f(0)' }), 'stack');
    expectFailure(await sandbox.run({ code: 'const o = {}; o.toJSON = () => JSON.stringify(o); return JSON.stringify(o)' }), 'stack');
    await stillServing();
  });

  it('[WFL-02] memory bombs fail with code memory', async () => {
    // A generous deadline, so that on a busy machine the memory limit is what stops them.
    const limits = { timeoutMs: 15_000 };
    expectFailure(await sandbox.run({ code: "return 'x'.repeat(2 ** 28).length", limits }), 'memory');
    expectFailure(await sandbox.run({ code: 'let list = [1]; for (;;) list = list.concat(list);', limits }), 'memory');
    expectFailure(await sandbox.run({ code: 'const keep = []; for (let i = 0; ; i++) keep.push({ i, text: "item " + i });', limits }), 'memory');
    await stillServing();
  });

  it('[WFL-02] a huge output fails with output_too_large and a huge console output is cut off', async () => {
    const limits = { memoryBytes: 64 * 2 ** 20, timeoutMs: 15_000 };
    const big = await sandbox.run({ code: "return 'y'.repeat(2 * 2 ** 20)", limits });
    expectFailure(big, 'output_too_large');
    const bigObject = await sandbox.run({ code: 'return Array.from({ length: 100000 }, (_, i) => ({ index: i, label: "row " + i }))', limits });
    expectFailure(bigObject, 'output_too_large');
    const chatty = await sandbox.run({ code: "for (let i = 0; i < 20000; i++) console.log('line ' + i + ' ' + 'z'.repeat(100)); return 'done'", limits });
    expect(chatty).toMatchObject({ ok: true, output: 'done', logsTruncated: true });
    const logged = chatty.logs.reduce((bytes, line) => bytes + Buffer.byteLength(line.message), 0);
    expect(logged).toBeLessThanOrEqual(64 * 2 ** 10);
    expect(chatty.meter.hostCalls).toBe(20000);
    await stillServing();
  });

  it('[WFL-02] errors come back as structured results without host details', async () => {
    const thrown = await sandbox.run({ code: 'throw new TypeError("bad input")' });
    expect(thrown).toMatchObject({ ok: false, code: 'error', message: 'TypeError: bad input' });
    expectFailure(await sandbox.run({ code: 'return (' }), 'error');
    expect(await sandbox.run({ code: 'throw { message: "not an Error" }' })).toMatchObject({ ok: false, code: 'error', message: 'uncaught [object Object]' });
    expectFailure(await sandbox.run({ code: 'const e = new Error(); Object.defineProperty(e, "message", { get() { while (true) {} } }); throw e' }), 'timeout');
    const bigint = await sandbox.run({ code: 'return 10n' });
    expectFailure(bigint, 'error');
    expectFailure(await sandbox.run({ code: 'await new Promise(() => {})' }), 'error');
    await stillServing();
  });
});

describe('[WFL-03] every step starts from a fresh context', () => {
  it('[WFL-03] globals, prototype pollution and built-in changes from one step are invisible to the next step and to the host', async () => {
    const first = await sandbox.run({
      code: `
        globalThis.secretFromRunOne = 'run-one';
        Object.prototype.polluted = 'yes';
        Array.prototype.push = () => 'hijacked';
        JSON.stringify = () => '"hijacked"';
        Math.random = () => 4;
        return 'stored';`,
    });
    expect(first).toMatchObject({ ok: true, output: 'stored' });
    const second = await sandbox.run({
      code: `return { leaked: typeof secretFromRunOne, polluted: ({}).polluted ?? null, push: [].push(1), json: JSON.stringify({ a: 1 }), random: Math.random() < 1 };`,
    });
    expect(second).toMatchObject({ ok: true, output: { leaked: 'undefined', polluted: null, push: 1, json: '{"a":1}', random: true } });
    // The host's own prototypes are untouched.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    await stillServing();
  });

  it('[WFL-03] the input is a copy: changing it inside the step changes nothing outside', async () => {
    const input = { customer: { name: 'Ada' }, tags: ['a'] };
    const result = await sandbox.run({ code: 'input.customer.name = "changed"; input.tags.push("b"); input.__proto__.x = 1; return input', input });
    expect(result).toMatchObject({ ok: true, output: { customer: { name: 'changed' }, tags: ['a', 'b'] } });
    expect(input).toEqual({ customer: { name: 'Ada' }, tags: ['a'] });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('[WFL-03] concurrent steps do not see each other', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => sandbox.run({ code: 'const before = typeof globalThis.mark; globalThis.mark = input; return { before, mark: globalThis.mark }', input: i })),
    );
    results.forEach((result, i) => expect(result).toMatchObject({ ok: true, output: { before: 'undefined', mark: i } }));
  });
});
