import { mkdtempSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/event.ts';
import { runEnclave } from '../helpers/cli.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { firstBrokenSeq, parseLines } from './chain.ts';

describe('audit export as JSON lines', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;

  const apiEvents = async (query = '') => {
    const response = await enclave.request('GET', `/api/w/${workspace.id}/audit-events?limit=1000${query}`, { token: workspace.token });
    expect(response.status).toBe(200);
    return ((await response.json()) as { events: AuditEvent[] }).events;
  };
  const exported = (query = '', token = workspace.token) => enclave.request('GET', `/api/w/${workspace.id}/audit/export${query}`, { token });

  beforeAll(async () => {
    enclave = await startTestServer();
    workspace = await enclave.createWorkspace('Export Co');
    for (let change = 0; change < 4; change++) {
      const response = await enclave.request('PATCH', `/api/w/${workspace.id}/profile`, { token: workspace.token, body: { description: `change ${change}` } });
      expect(response.status).toBe(200);
    }
    const key = await enclave.request('POST', `/api/w/${workspace.id}/api-keys`, { token: workspace.token, body: { name: 'reporting', role: 'viewer' } });
    expect(key.status).toBe(201);
  });
  afterAll(() => enclave.close());

  it('[LOG-07] the export is JSON lines of every event, as the audit API answers them, and verifies as a hash chain', async () => {
    const response = await exported();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const lines = parseLines(await response.text());
    const api = await apiEvents();
    const last = lines.at(-1)!;
    // The export records itself before its first line, so it is the last event it holds.
    expect(last).toMatchObject({ action: 'audit.export', outcome: 'success', actor: { type: 'api_key' } });
    expect(lines).toEqual(api.filter((event) => event.seq <= last.seq));
    expect(lines.map((event) => event.action)).toEqual(expect.arrayContaining(['workspace.create', 'workspace.profile.update', 'api_key.create']));
    for (const event of lines) expect(Object.keys(event).sort()).toEqual(['action', 'actor', 'details', 'hash', 'id', 'ip', 'occurredAt', 'outcome', 'prevHash', 'requestId', 'seq', 'target', 'userAgent']);
    expect(lines[0]!.seq).toBe(1);
    expect(firstBrokenSeq(lines)).toBeUndefined();

    // The recomputation is a real check: one changed field breaks it at that event.
    const forged = lines.map((event, index) => (index === 2 ? { ...event, details: { ...event.details, fields: ['displayName'] } } : event));
    expect(firstBrokenSeq(forged)).toBe(lines[2]!.seq);
  });

  it('[LOG-07] from and to narrow the export to a window of time, inclusive, and are validated', async () => {
    const all = await apiEvents();
    const from = all[1]!.occurredAt;
    // A later instant than `from`, with events in between, so the reversed window is really reversed.
    const to = all.findLast((event) => event.occurredAt > from)!.occurredAt;
    const window = parseLines(await (await exported(`?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).text());
    expect(window.length).toBeGreaterThan(0);
    expect(window).toEqual(all.filter((event) => event.occurredAt >= from && event.occurredAt <= to));

    // An offset other than Z means the same instant.
    const shifted = new Date(Date.parse(to) + 3600_000).toISOString().replace('Z', '+01:00');
    const untilTo = parseLines(await (await exported(`?to=${encodeURIComponent(shifted)}`)).text());
    expect(untilTo).toEqual(all.filter((event) => event.occurredAt <= to));

    const inverted = await exported(`?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`);
    expect(inverted.status).toBe(400);
    expect(((await inverted.json()) as { error: { code: string } }).error.code).toBe('invalid_time_range');
    for (const bad of ['?from=yesterday', '?to=2026-13-01T00:00:00Z', '?from=2026-01-01T00:00:00', '?since=2026-01-01T00:00:00Z']) {
      const response = await exported(bad);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
  });

  it('[LOG-07] members below admin cannot export the audit log (403), and a refused export records nothing', async () => {
    const before = (await apiEvents()).filter((event) => event.action === 'audit.export').length;
    for (const role of ['builder', 'viewer'] as const) {
      const key = await enclave.addKey(workspace.id, role);
      const response = await exported('', key);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain('"seq"');
    }
    const person = await enclave.createUser('Vera Viewer');
    await enclave.addMember(workspace.id, person, 'viewer');
    const cookie = await enclave.signIn(person);
    expect((await enclave.request('GET', `/api/w/${workspace.id}/audit/export`, { cookie })).status).toBe(403);
    expect((await apiEvents()).filter((event) => event.action === 'audit.export')).toHaveLength(before);

    const admin = await enclave.addKey(workspace.id, 'admin');
    expect((await exported('', admin)).status).toBe(200);
  });

  it('[LOG-07] `enclave audit export` writes a workspace or the control log as verifiable JSON lines, to stdout or a 0600 file', async () => {
    const cli = (...args: string[]) => runEnclave(['audit', 'export', '--data-dir', enclave.dataDir, ...args], { env: { USER: 'auditor' } });
    const help = await runEnclave(['audit', 'export', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--control');

    const fromWorkspace = await cli('--workspace', workspace.id);
    expect(fromWorkspace.code).toBe(0);
    const lines = parseLines(fromWorkspace.stdout);
    expect(firstBrokenSeq(lines)).toBeUndefined();
    expect(lines.at(-1)).toMatchObject({ action: 'audit.export', actor: { type: 'operator', id: 'auditor' } });
    expect(lines.slice(0, -1)).toEqual((await apiEvents()).filter((event) => event.seq < lines.at(-1)!.seq));

    const out = join(mkdtempSync(join(tmpdir(), 'enclave-audit-export-')), 'control.jsonl');
    const control = await cli('--control', '--out', out);
    expect(control.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const controlLines = parseLines(readFileSync(out, 'utf8'));
    expect(firstBrokenSeq(controlLines)).toBeUndefined();
    expect(controlLines.map((event) => event.action)).toEqual(expect.arrayContaining(['workspace.create', 'api_key.create', 'audit.export']));
    // Never overwritten.
    expect((await cli('--control', '--out', out)).code).not.toBe(0);

    const recent = await cli('--control', '--from', controlLines.at(-1)!.occurredAt);
    expect(parseLines(recent.stdout).every((event) => event.occurredAt >= controlLines.at(-1)!.occurredAt)).toBe(true);
    for (const bad of [[], ['--control', '--workspace', workspace.id], ['--control', '--from', 'yesterday'], ['--workspace', 'ws_nope']]) {
      const refused = await cli(...bad);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
    }
    // Each run is its own process loading the whole server: give the ten of them room.
  }, 180_000);
});
