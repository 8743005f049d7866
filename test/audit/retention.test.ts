import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditSigningKeys } from '../../src/audit/signing.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { AuditFixture, SCOPE } from './fixture.ts';
import { sampleEvent } from './sample-events.ts';

let fixture: AuditFixture;
// 25 events; checkpoints at 10, 20 and 25.
beforeEach(async () => {
  fixture = new AuditFixture();
  await fixture.writeEvents(25);
});
afterEach(() => fixture.cleanup());

describe('audit log: trimmed by retention', () => {
  it('[LOG-02] a log trimmed up to a checkpoint verifies from the anchored event, and keeps growing', async () => {
    // Retention deletes through an ordinary connection: the triggers allow rows below the newest checkpoint.
    fixture.open().prepare('DELETE FROM audit_events WHERE seq <= 10').run();
    expect(fixture.verify()).toEqual({ ok: true, events: 15, checkpoints: 3 });

    const log = fixture.log();
    expect((await log.record(sampleEvent('usr_ana', 26))).seq).toBe(26);
    log.close();
    fixture.open().prepare('DELETE FROM audit_events WHERE seq <= 25').run();
    expect(fixture.verify()).toEqual({ ok: true, events: 1, checkpoints: 4 });
  });

  it('[LOG-02] a log trimmed to a point no checkpoint anchors fails at the first missing event', () => {
    fixture.open().prepare('DELETE FROM audit_events WHERE seq <= 12').run();
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 11,
      problem: 'events 11–12 are missing and no checkpoint anchors event 13',
    });
  });

  it('[LOG-02] a trimmed log whose anchoring checkpoint was removed fails', () => {
    fixture.open().prepare('DELETE FROM audit_events WHERE seq <= 20').run();
    fixture.tamper('DELETE FROM audit_checkpoints WHERE seq = 20');
    writeCheckpointFileWithout(20);
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 11,
      problem: 'events 11–20 are missing and no checkpoint anchors event 21',
    });
  });

  it('[LOG-02] after key rotation each checkpoint is checked with the key of its version', async () => {
    const rotatedSeed = Buffer.alloc(32, 2);
    const log = fixture.log({ signingSeed: rotatedSeed, keyVersion: 2 });
    await log.record(sampleEvent('usr_ana', 26));
    log.close();
    const keys = new Map([
      [1, fixture.publicKey],
      [2, auditSigningKeys(rotatedSeed).publicKey],
    ]);
    const verify = (publicKey: Parameters<typeof verifyAuditChain>[0]['publicKey']) =>
      verifyAuditChain({ db: fixture.open(), scope: SCOPE, publicKey, checkpointFile: fixture.checkpointFile });

    expect(verify((version) => keys.get(version))).toEqual({ ok: true, events: 26, checkpoints: 4 });
    expect(verify(fixture.publicKey)).toMatchObject({ ok: false, firstBadSeq: 26 });
    expect(verify((version) => (version === 1 ? fixture.publicKey : undefined))).toMatchObject({
      ok: false,
      firstBadSeq: 26,
      problem: 'no public key for key version 2, which signed the checkpoint at event 26',
    });
  });
});

function writeCheckpointFileWithout(seq: number): void {
  const lines = readFileSync(fixture.checkpointFile, 'utf8').trimEnd().split('\n');
  writeFileSync(fixture.checkpointFile, `${lines.filter((line) => JSON.parse(line).seq !== seq).join('\n')}\n`);
}
