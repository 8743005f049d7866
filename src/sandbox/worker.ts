/**
 * A sandbox worker thread: one WebAssembly module, one step at a time. Steps run here
 * rather than on the server's thread because QuickJS polls its interrupt handler by
 * instruction count, not by time, and a single built-in call (`indexOf` over a large
 * array, say) runs without polling: a loop of them overruns any deadline by minutes. In a
 * worker that only delays the step, and the Sandbox terminates the thread when the step
 * overruns; on the main thread it would stop the whole server.
 */
import { parentPort } from 'node:worker_threads';
import { RELEASE_SYNC, newQuickJSWASMModule } from 'quickjs-emscripten';
import type { FromWorker, ToWorker } from './protocol.ts';
import { SANDBOX_FAILED, runStep } from './step.ts';
import type { CredentialGrant } from './types.ts';

const port = parentPort!;
const module = await newQuickJSWASMModule(RELEASE_SYNC);
const grants = new Map<number, (grant: CredentialGrant | undefined) => void>();
let nextGrant = 0;

const post = (message: FromWorker) => port.postMessage(message);

/** Credentials stay with the caller on the main thread; the worker asks for a grant per handle. */
function credentialsFor(step: number) {
  return (handle: string): Promise<CredentialGrant | undefined> => {
    const id = nextGrant++;
    return new Promise((resolve) => {
      grants.set(id, resolve);
      post({ type: 'credential', step, id, handle });
    });
  };
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'grant') {
    grants.get(message.id)?.(message.grant);
    grants.delete(message.id);
    return;
  }
  const { step } = message;
  const request = { code: message.code, inputJson: message.inputJson, scope: { hosts: message.hosts, credentialFor: credentialsFor(step) } };
  // A module that aborted, or whose runtime could not be freed cleanly, is not reused:
  // report the result, then end the thread; the Sandbox starts a fresh one.
  void runStep(module, request, message.limits, message.allowPrivateAddresses)
    .catch(() => ({ result: SANDBOX_FAILED, reusable: false }))
    .then(({ result, reusable }) => {
      post({ type: 'result', step, result, reusable });
      if (!reusable) process.exit(1);
    });
});

post({ type: 'ready' });
