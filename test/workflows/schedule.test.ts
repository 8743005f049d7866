import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { createWorkflow } from './fixtures.ts';

interface RunSummary {
  id: string;
  trigger: string;
  status: string;
  actor: { type: string; id: string };
}

/** Polls until `done` holds; generous, since the machine is shared — no timing is asserted. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('schedule triggers', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Scheduled');
  });
  afterAll(async () => {
    await enclave.close();
  });

  const api = (method: string, path: string, body?: unknown) => enclave.request(method, `/api/w/${workspace.id}${path}`, { token: workspace.token, body });
  const runsOf = async (workflowId: string) => ((await (await api('GET', `/runs?workflowId=${workflowId}&limit=200`)).json()) as { runs: RunSummary[] }).runs;
  const everySecond = (name: string) => ({
    name,
    definition: { trigger: { type: 'schedule', cron: '* * * * * *' }, nodes: [{ id: 'shape', type: 'transform', fields: { at: 'missing' } }] },
  });

  it('[WFL-01] an enabled schedule trigger starts runs as the system actor; disabling the workflow stops them', async () => {
    const { workflow } = await createWorkflow(enclave, workspace, everySecond('ticking'));
    const runs = await until(() => runsOf(workflow.id), (list) => list.length >= 2, 'scheduled runs');
    for (const run of runs) {
      expect(run.trigger).toBe('schedule');
      expect(run.actor).toEqual({ type: 'system', id: 'workflow-scheduler' });
    }

    expect((await api('PATCH', `/workflows/${workflow.id}`, { enabled: false })).status).toBe(200);
    // A tick that began before the PATCH answered has already recorded its run, so this count is final.
    const stoppedAt = (await runsOf(workflow.id)).length;

    // A second scheduled workflow proves the scheduler went on ticking meanwhile, without timing anything.
    const { workflow: witness } = await createWorkflow(enclave, workspace, everySecond('witness'));
    await until(() => runsOf(witness.id), (list) => list.length >= 3, 'the witness runs');
    expect((await runsOf(workflow.id)).length).toBe(stoppedAt);

    // Deleting drops the job too.
    expect((await api('DELETE', `/workflows/${witness.id}`)).status).toBe(204);
    const { workflow: third } = await createWorkflow(enclave, workspace, everySecond('third'));
    await until(() => runsOf(third.id), (list) => list.length >= 2, 'the third workflow runs');
  });
});
