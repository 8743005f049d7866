import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/core/database.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { createWorkflow, signedHeaders, webhookCodeTransform, type RunBody } from './fixtures.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every row of every table, decrypted through the open handle, as text (blobs as UTF-8 and hex). */
function everyRow(db: SqliteDatabase): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  return tables
    .map(({ name }) =>
      JSON.stringify(db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all(), (_key, value: unknown) =>
        value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' ? Buffer.from((value as { data: number[] }).data).toString('utf8') : value,
      ),
    )
    .join('\n');
}

describe('incognito runs', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Incognito');
  });
  afterAll(() => enclave.close());

  it('[WFL-05] an incognito run stores only that it happened, its status and credits: the canary payload is nowhere under the data directory', async () => {
    const canary = `canary${randomBytes(12).toString('hex')}`;
    const created = await createWorkflow(enclave, workspace, { name: 'private', incognito: true, definition: webhookCodeTransform() });
    const body = JSON.stringify({ order: canary, quantity: 2, apiKey: canary });
    const delivered = await enclave.request('POST', `/hooks/${created.workflow.id}`, { body, headers: signedHeaders(created.webhookSecret!, body) });
    expect(delivered.status).toBe(202);
    // A per-run flag on a workflow that is not incognito itself, run by hand, with a code step that logs the payload.
    const other = await createWorkflow(enclave, workspace, {
      name: 'per run',
      definition: { trigger: { type: 'manual' }, nodes: [{ id: 'loud', type: 'code', code: 'console.log(input.secret); throw new Error(input.secret);' }] },
    });
    const manual = await enclave.request('POST', `/api/w/${workspace.id}/workflows/${other.workflow.id}/runs`, { token: workspace.token, body: { input: { secret: canary }, incognito: true } });
    const failed = (await manual.json()) as RunBody;
    expect(failed.status).toBe('failed');
    expect(failed.incognito).toBe(true);

    const { runId } = (await delivered.json()) as { runId: string };
    const run = (await (await enclave.request('GET', `/api/w/${workspace.id}/runs/${runId}`, { token: workspace.token })).json()) as RunBody;
    expect(run).toMatchObject({ status: 'succeeded', incognito: true, input: null, output: null, credits: 2 });
    expect(run.steps.map((step) => [step.nodeId, step.input, step.output, step.credits])).toEqual([['enrich', null, null, 1], ['shape', null, null, 1]]);

    const platform = enclave.server.platform;
    platform.databases.open(workspace.id).audit.flush();
    platform.controlAudit.flush();
    const decrypted = [everyRow(platform.databases.open(workspace.id).db), everyRow(platform.controlDb)].join('\n');
    expect(decrypted).toContain(runId);
    expect(decrypted).not.toContain(canary);
    for (const file of filesUnder(enclave.dataDir)) expect(readFileSync(file).includes(canary), file).toBe(false);
    expect(enclave.logs.join('\n')).not.toContain(canary);
  });
});
