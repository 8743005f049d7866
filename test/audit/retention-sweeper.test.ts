import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepRetention } from '../../src/platform/retention-sweeper.ts';
import { runEnclave } from '../helpers/cli.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

const DAY = 86_400_000;

describe('audit retention sweeper', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    enclave = await startTestServer({ retention: { auditDays: 90 } });
    workspace = await enclave.createWorkspace('Retention Co');
    for (const description of ['one', 'two']) {
      expect((await enclave.request('PATCH', `/api/w/${workspace.id}/profile`, { token: workspace.token, body: { description } })).status).toBe(200);
    }
  });
  afterAll(() => enclave.close());

  const events = async () =>
    ((await (await enclave.request('GET', `/api/w/${workspace.id}/audit-events?limit=1000`, { token: workspace.token })).json()) as { events: { seq: number; action: string }[] }).events;

  it('[LOG-03] events younger than the retention period are kept', async () => {
    const before = await events();
    const sweep = await sweepRetention(enclave.server.platform, new Date(Date.now() + 89 * DAY));
    expect(sweep).toEqual({ trimmed: {}, refused: [], shredded: [], domainsWithdrawn: [] });
    expect(await events()).toEqual(before);
  });

  it('[LOG-03] run as of past the retention period, the sweeper trims every log under a signed statement, and verify-audit still passes', async () => {
    const before = await events();
    const sweep = await sweepRetention(enclave.server.platform, new Date(Date.now() + 91 * DAY));
    expect(sweep.refused).toEqual([]);
    expect(sweep.trimmed[workspace.id]).toBe(before.length - 1);
    expect(sweep.trimmed.control).toBeGreaterThan(0);

    const after = await events();
    // The newest event anchors the chain; the trim records itself after it.
    expect(after.map((event) => event.action)).toEqual([before.at(-1)!.action, 'audit.retention.trim']);
    const verification = (await (await enclave.request('GET', `/api/w/${workspace.id}/audit-events/verification`, { token: workspace.token })).json()) as { ok: boolean };
    expect(verification.ok).toBe(true);
    const cli = await runEnclave(['verify-audit', '--data-dir', enclave.dataDir, '--json']);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
  });

  it('[LOG-03] a retention under 90 days is refused at start-up', async () => {
    await expect(startTestServer({ retention: { auditDays: 30 } })).rejects.toThrow(/auditDays: must be at least 90 days/);
  });
});
