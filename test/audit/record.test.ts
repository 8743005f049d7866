import { statSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditEventError } from '../../src/audit/event.ts';
import { AuditLogClosedError } from '../../src/audit/log.ts';
import { listEvents } from '../../src/audit/store.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { AuditFixture, SCOPE } from './fixture.ts';
import { sampleEvent } from './sample-events.ts';

let fixture: AuditFixture;
afterEach(() => fixture.cleanup());

function eventCount(fixture: AuditFixture): number {
  return fixture.open().prepare('SELECT count(*) AS n FROM audit_events').pluck().get() as number;
}

describe('audit log: recording', () => {
  it('[LOG-01] an event records actor, action, target, ip, user agent, UTC time, request id, outcome and details', async () => {
    fixture = new AuditFixture();
    const log = fixture.log({ clock: () => new Date('2026-03-04T05:06:07.089+02:00') });
    const recorded = await log.record({
      actor: { type: 'api_key', id: 'key_7' },
      action: 'workspace.profile.update',
      target: { type: 'workspace', id: 'ws_alpha' },
      outcome: 'denied',
      ip: '198.51.100.23',
      userAgent: 'curl/8.9',
      requestId: 'req_42',
      details: { changed: ['name', 'description'] },
    });

    const [event] = listEvents(fixture.open(), { limit: 10 });
    expect(event).toEqual({
      seq: 1,
      id: recorded.id,
      occurredAt: '2026-03-04T03:06:07.089Z',
      actor: { type: 'api_key', id: 'key_7' },
      action: 'workspace.profile.update',
      target: { type: 'workspace', id: 'ws_alpha' },
      outcome: 'denied',
      ip: '198.51.100.23',
      userAgent: 'curl/8.9',
      requestId: 'req_42',
      details: { changed: ['name', 'description'] },
      prevHash: '0'.repeat(64),
      hash: recorded.hash,
    });
    expect(recorded.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('[LOG-01] events recorded in the same tick are committed together, in call order, with contiguous seqs', async () => {
    fixture = new AuditFixture();
    const log = fixture.log({ checkpointEvery: 100 });
    const pending = Array.from({ length: 1000 }, (_, n) => log.record(sampleEvent('usr_ana', n)));
    expect(eventCount(fixture)).toBe(0);

    const recorded = await Promise.all(pending);
    expect(recorded.map((event) => event.seq)).toEqual(Array.from({ length: 1000 }, (_, n) => n + 1));
    const requestIds = listEvents(fixture.open(), { limit: 1000 }).map((event) => event.requestId);
    expect(requestIds).toEqual(Array.from({ length: 1000 }, (_, n) => `req_${n}`));
    // One batch, so one checkpoint at its head rather than one per 100 events.
    const checkpoints = fixture.open().prepare('SELECT seq FROM audit_checkpoints').pluck().all();
    expect(checkpoints).toEqual([1000]);
    expect(fixture.verify()).toEqual({ ok: true, events: 1000, checkpoints: 1 });
  });

  it('[LOG-01] flush() writes queued events at once, for shutdown and CLI commands', async () => {
    fixture = new AuditFixture();
    const log = fixture.log();
    const pending = [log.record(sampleEvent('usr_ana', 1)), log.record(sampleEvent('usr_ana', 2))];
    log.flush();
    expect(eventCount(fixture)).toBe(2);
    expect((await Promise.all(pending)).map((event) => event.seq)).toEqual([1, 2]);
  });

  it('[LOG-01] two connections appending to one database interleave into a single valid chain', async () => {
    fixture = new AuditFixture();
    const server = fixture.log({ checkpointEvery: 5 });
    const cli = fixture.log({ checkpointEvery: 3 });
    const seqs: number[] = [];
    for (let round = 0; round < 20; round++) {
      // Each log reads the head inside its own write transaction, so neither forks the chain.
      const batch = [server.record(sampleEvent('usr_server', round)), cli.record(sampleEvent('operator', round))];
      if (round % 3 === 0) server.record(sampleEvent('usr_server', 100 + round)).then((event) => seqs.push(event.seq));
      for (const event of await Promise.all(batch)) seqs.push(event.seq);
      if (round % 4 === 0) cli.flush();
    }
    server.close();
    cli.close();

    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 47 }, (_, n) => n + 1));
    expect(fixture.verify()).toMatchObject({ ok: true, events: 47 });
  });

  it('[LOG-01] a separate thread appending concurrently keeps one valid chain', async () => {
    fixture = new AuditFixture();
    let workerDone = false;
    const finished = fixture.appendFromAnotherThread(300, 7).finally(() => (workerDone = true));
    const log = fixture.log({ checkpointEvery: 11 });
    // Keep appending for the worker's whole life, so the two writers really overlap.
    let written = 0;
    while (!workerDone) await log.record(sampleEvent('usr_main', written++));
    await finished;
    await log.record(sampleEvent('usr_main', written++));
    log.close();

    expect(fixture.verify()).toMatchObject({ ok: true, events: written + 300 });
    const actors = fixture.open().prepare('SELECT actor_id FROM audit_events ORDER BY seq').pluck().all();
    const switches = actors.filter((actor, index) => index > 0 && actor !== actors[index - 1]).length;
    // The worker's events sit between the main thread's, not after them.
    expect(switches).toBeGreaterThanOrEqual(2);
  });

  it('[LOG-01] cursor paging returns events in seq order', async () => {
    fixture = new AuditFixture();
    await fixture.writeEvents(25);
    const db = fixture.open();
    const first = listEvents(db, { limit: 10 });
    const second = listEvents(db, { afterSeq: first.at(-1)!.seq, limit: 10 });
    const last = listEvents(db, { afterSeq: 20, limit: 10 });
    expect(first.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(second.map((event) => event.seq)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(last.map((event) => event.seq)).toEqual([21, 22, 23, 24, 25]);
    expect(() => listEvents(db, { limit: 0 })).toThrow(RangeError);
    expect(() => listEvents(db, { limit: 1001 })).toThrow(RangeError);
  });

  it('[LOG-01] events a service cannot describe are refused; client-supplied metadata is clipped, not refused', async () => {
    fixture = new AuditFixture();
    const log = fixture.log();
    const valid = sampleEvent('usr_ana', 1);
    await expect(log.record({ ...valid, action: '' })).rejects.toThrow(AuditEventError);
    await expect(log.record({ ...valid, action: 'Profile Update' })).rejects.toThrow(AuditEventError);
    await expect(log.record({ ...valid, actor: { type: 'user', id: '' } })).rejects.toThrow(AuditEventError);
    await expect(log.record({ ...valid, actor: { type: 'root' as 'user', id: 'x' } })).rejects.toThrow(AuditEventError);
    await expect(log.record({ ...valid, outcome: 'maybe' as 'success' })).rejects.toThrow(AuditEventError);
    await expect(log.record({ ...valid, details: { big: 1n } })).rejects.toThrow(AuditEventError);

    await log.record({ ...valid, userAgent: 'x'.repeat(10_000), ip: '\ud800' });
    const [event] = listEvents(fixture.open(), { limit: 1 });
    expect(event!.userAgent).toHaveLength(512);
    expect(event!.ip).toBe('\ufffd');
    log.close();
    await expect(log.record(valid)).rejects.toThrow(AuditLogClosedError);
    expect(fixture.verify()).toMatchObject({ ok: true, events: 1 });
  });
});

describe('audit log: checkpoints', () => {
  it('[LOG-02] checkpoints are signed every N events, on request and at close, never twice for one head', async () => {
    fixture = new AuditFixture();
    const log = fixture.log({ checkpointEvery: 4, keyVersion: 3 });
    for (let n = 1; n <= 9; n++) await log.record(sampleEvent('usr_ana', n));
    expect(log.checkpoint()?.seq).toBe(9);
    expect(log.checkpoint()).toBeUndefined();
    await log.record(sampleEvent('usr_ana', 10));
    log.close();
    log.close();

    const lines = readFileSync(fixture.checkpointFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.seq)).toEqual([4, 8, 9, 10]);
    expect(lines[0]).toMatchObject({ scope: SCOPE, key_version: 3 });
    expect(lines[0]).toMatchObject({ kind: 'checkpoint' });
    expect(Object.keys(lines[0])).toEqual(['hash', 'key_version', 'kind', 'scope', 'seq', 'signature', 'signed_at']);
    expect(statSync(fixture.checkpointFile).mode & 0o777).toBe(0o600);
    const stored = fixture.open().prepare('SELECT seq, lower(hex(hash)) AS hash FROM audit_checkpoints ORDER BY seq').all();
    expect(stored).toEqual(lines.map((line) => ({ seq: line.seq, hash: line.hash })));
    expect(fixture.verify()).toEqual({ ok: true, events: 10, checkpoints: 4 });
  });

  it('[LOG-02] verifying while another thread appends and checkpoints reports no false problem', async () => {
    fixture = new AuditFixture();
    let writerDone = false;
    const writer = fixture.appendFromAnotherThread(300, 1).finally(() => (writerDone = true));
    const db = fixture.open();
    const results = [];
    while (!writerDone) {
      results.push(verifyAuditChain({ db, scope: SCOPE, publicKey: fixture.publicKey, checkpointFile: fixture.checkpointFile }));
      await new Promise(setImmediate);
    }
    await writer;
    expect(results.length).toBeGreaterThan(5);
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(fixture.verify()).toEqual({ ok: true, events: 300, checkpoints: 300 });
  });

  it('[LOG-02] an empty log verifies and closing it signs nothing', () => {
    fixture = new AuditFixture();
    fixture.log().close();
    expect(fixture.verify()).toEqual({ ok: true, events: 0, checkpoints: 0 });
  });
});
