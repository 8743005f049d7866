import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';

interface Page {
  events: { seq: number; action: string; actor: { type: string; id: string }; occurredAt: string }[];
  nextAfter: number | null;
}

describe('reading the workspace audit log with filters', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;
  let adminKey: string;
  let before: string;

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Filters Co');
    before = new Date().toISOString();
    adminKey = await enclave.addKey(workspace.id, 'admin');
    expect((await enclave.request('POST', `/api/w/${workspace.id}/api-keys`, { token: adminKey, body: { name: 'ci', role: 'viewer' } })).status).toBe(201);
    for (const description of ['one', 'two', 'three']) {
      const response = await enclave.request('PATCH', `/api/w/${workspace.id}/profile`, { token: adminKey, body: { description } });
      expect(response.status).toBe(200);
    }
  });
  afterAll(() => enclave.close());

  const read = async (query: string) => enclave.request('GET', `/api/w/${workspace.id}/audit-events?${query}`, { token: workspace.token });

  it('[LOG-01] the server filters by action and pages through the matches only', async () => {
    const first = (await (await read('action=workspace.profile.update&limit=2')).json()) as Page;
    expect(first.events.map((event) => event.action)).toEqual(['workspace.profile.update', 'workspace.profile.update']);
    expect(first.nextAfter).toBe(first.events[1]!.seq);
    const rest = (await (await read(`action=workspace.profile.update&limit=2&after=${first.nextAfter}`)).json()) as Page;
    expect(rest.events).toHaveLength(1);
    expect(rest.nextAfter).toBeNull();
  });

  it('[LOG-01] the server filters by actor and by time, and offers the actions and actors present as choices', async () => {
    const facets = (await (await enclave.request('GET', `/api/w/${workspace.id}/audit-events/facets`, { token: workspace.token })).json()) as {
      actions: string[];
      actors: { type: string; id: string }[];
    };
    expect(facets.actions).toContain('workspace.profile.update');
    // Only the admin key has changed anything: the owner key has only read.
    const adminActor = facets.actors.find((actor) => actor.type === 'api_key');
    expect(adminActor).toBeDefined();
    const byActor = (await (await read(`actor=${adminActor!.type}:${encodeURIComponent(adminActor!.id)}`)).json()) as Page;
    expect(byActor.events.length).toBeGreaterThanOrEqual(4);
    expect(byActor.events.every((event) => event.actor.id === adminActor!.id)).toBe(true);

    const all = (await (await read('limit=1000')).json()) as Page;
    const last = all.events.at(-1)!;
    const sinceLast = (await (await read(`since=${encodeURIComponent(last.occurredAt)}`)).json()) as Page;
    expect(sinceLast.events.every((event) => event.occurredAt >= last.occurredAt)).toBe(true);
    expect(sinceLast.events.map((event) => event.seq)).toContain(last.seq);
    const beforeAll = (await (await read(`until=${encodeURIComponent(new Date(Date.parse(before) - 60_000).toISOString())}&since=2000-01-01T00:00:00Z`)).json()) as Page;
    expect(beforeAll.events.every((event) => event.occurredAt < before)).toBe(true);
  });

  it('[LOG-01] malformed filters get a specific 400 and read nothing', async () => {
    for (const query of ['actor=nobody', 'action=DROP%20TABLE', 'since=yesterday', 'until=2026-13-01T00:00:00Z', 'since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', 'colour=red']) {
      const response = await read(query);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code, query).toMatch(/^(invalid_request|invalid_time_range)$/);
    }
  });

  it('[ACC-01] a viewer key cannot read the filter choices', async () => {
    const viewer = await enclave.addKey(workspace.id, 'viewer');
    const response = await enclave.request('GET', `/api/w/${workspace.id}/audit-events/facets`, { token: viewer });
    expect(response.status).toBe(403);
  });
});
