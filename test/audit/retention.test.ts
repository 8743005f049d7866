import { sign } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/audit/canonical-json.ts';
import { readStatementFile, statementLine } from '../../src/audit/checkpoint-file.ts';
import { AuditTrimError } from '../../src/audit/log.ts';
import { auditSigningKeys, signStatement, type AuditStatement, type UnsignedStatement } from '../../src/audit/signing.ts';
import { listEvents } from '../../src/audit/store.ts';
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

function hashOf(seq: number): string {
  return fixture.open().prepare('SELECT lower(hex(hash)) FROM audit_events WHERE seq = ?').pluck().get(seq) as string;
}

/** What an attacker holding the database key (but not the signing key) does to make a deleted prefix look trimmed. */
function plantTrim(trim: AuditStatement): void {
  fixture.tamper(
    `INSERT INTO audit_checkpoints (kind, seq, hash, signed_at, key_version, signature) VALUES (?, ?, unhex(?), ?, ?, ?)`,
    trim.kind, trim.seq, trim.hash, trim.signedAt, trim.keyVersion, trim.signature,
  );
  appendFileSync(fixture.checkpointFile, `${statementLine(trim)}\n`);
}

const PREFIX_GONE = { ok: false, firstBadSeq: 1, problem: 'events 1–10 are missing and no valid trim anchors event 11' };

describe('audit log: retention trims', () => {
  it('[LOG-03] a trim removes the oldest events under a signed statement, records itself, and the log keeps growing', async () => {
    const tenth = hashOf(10);
    const log = fixture.log();
    const first = log.trim(10);
    expect(first).toMatchObject({ removed: 10, recorded: { seq: 26 } });
    // The trim's own event is checkpointed at once.
    expect(fixture.verify()).toEqual({ ok: true, events: 16, checkpoints: 4 });

    const [oldest] = listEvents(fixture.open(), { limit: 1 });
    expect(oldest!.seq).toBe(11);
    const [trimEvent] = listEvents(fixture.open(), { afterSeq: 25, limit: 1 });
    expect(trimEvent).toMatchObject({
      actor: { type: 'system', id: 'audit-retention' },
      action: 'audit.retention.trim',
      details: { throughSeq: 10, removed: 10 },
    });
    const trims = readStatementFile(fixture.checkpointFile).statements.filter((line) => line.kind === 'trim');
    expect(trims).toMatchObject([{ kind: 'trim', scope: SCOPE, seq: 10, hash: tenth }]);

    expect((await log.record(sampleEvent('usr_ana', 27))).seq).toBe(27);
    expect(log.trim(26)).toMatchObject({ removed: 16, recorded: { seq: 28 } });
    log.close();
    expect(fixture.verify()).toEqual({ ok: true, events: 2, checkpoints: 5 });
  });

  it('[LOG-03] a trim that would remove the newest event, nothing, or an already broken prefix is refused and signs nothing', () => {
    const log = fixture.log();
    expect(() => log.trim(25)).toThrow(AuditTrimError);
    expect(() => log.trim(40)).toThrow(AuditTrimError);
    expect(() => log.trim(0)).toThrow(RangeError);
    log.trim(10);
    expect(() => log.trim(10)).toThrow(/already removed/);
    expect(() => log.trim(4)).toThrow(/already removed/);

    // Trimming over a gap would turn an unnoticed deletion into a log that verifies.
    fixture.tamper('DELETE FROM audit_events WHERE seq = 14');
    const linesBefore = fixture.fileLines().length;
    expect(() => log.trim(15)).toThrow(/events 11–15 are not intact/);
    expect(fixture.fileLines()).toHaveLength(linesBefore);
    expect(fixture.verify()).toMatchObject({ ok: false, firstBadSeq: 14, problem: 'event 14 is missing' });
  });

  it('[LOG-03] after a trim, Enclave’s own connections still cannot remove the events it kept', () => {
    fixture.log().trim(10);
    const db = fixture.open();
    expect(() => db.prepare('DELETE FROM audit_events WHERE seq = 11').run()).toThrow(/signed retention trim/);
    expect(fixture.verify()).toMatchObject({ ok: true, events: 16 });
  });

  it.each([10, 20])('[LOG-02] deleting a prefix up to the checkpoint at %i, triggers dropped, is detected at event 1', (through) => {
    // A checkpoint is signed at every close, so one anchoring the rest would license deleting any prefix.
    fixture.tamper('DELETE FROM audit_events WHERE seq <= ?', through);
    expect(fixture.verify()).toMatchObject({
      ok: false,
      events: 0,
      firstBadSeq: 1,
      problem: `events 1–${through} are missing and no valid trim anchors event ${through + 1}`,
    });
  });

  it('[LOG-02] deleting past a genuine trim is detected right after it', () => {
    fixture.log().trim(10);
    fixture.tamper('DELETE FROM audit_events WHERE seq <= 20');
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 11,
      problem: 'events 11–20 are missing and no valid trim anchors event 21',
    });
    fixture.tamper('DELETE FROM audit_events');
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 11,
      problem: 'events 11–26 are missing: no events remain, but the log had reached event 26',
    });
  });

  describe('a trim planted by someone without the signing key is rejected', () => {
    const privateKey = () => auditSigningKeys(fixture.signingSeed).privateKey;
    const unsigned = (): UnsignedStatement => ({
      kind: 'trim',
      scope: SCOPE,
      seq: 10,
      hash: hashOf(10),
      signedAt: '2026-01-01T00:00:00.000Z',
      keyVersion: 1,
    });
    const forgeries: [string, () => AuditStatement][] = [
      ['a genuine checkpoint replayed as a trim', () => ({ ...readStatementFile(fixture.checkpointFile).statements[0]!, kind: 'trim' })],
      [
        'a trim signed under the checkpoint purpose',
        () => {
          const fields = unsigned();
          const bytes = canonicalJson({
            purpose: 'enclave.audit.checkpoint.v1',
            kind: fields.kind,
            scope: fields.scope,
            seq: fields.seq,
            hash: fields.hash,
            signed_at: fields.signedAt,
            key_version: fields.keyVersion,
          });
          return { ...fields, signature: sign(null, Buffer.from(bytes), privateKey()).toString('base64url') };
        },
      ],
      ['a trim signed with another key', () => signStatement(unsigned(), auditSigningKeys(Buffer.alloc(32, 7)).privateKey)],
      ['a trim signed for another workspace', () => signStatement({ ...unsigned(), scope: 'ws_beta' }, privateKey())],
    ];

    it.each(forgeries)('[LOG-02] %s', (_, forge) => {
      const forged = forge();
      fixture.tamper('DELETE FROM audit_events WHERE seq <= 10');
      plantTrim(forged);
      expect(fixture.verify()).toMatchObject(PREFIX_GONE);
    });

    it('[LOG-02] while the same trim with a genuine signature would verify: the signature is what stops it', () => {
      const genuine = signStatement(unsigned(), privateKey());
      fixture.tamper('DELETE FROM audit_events WHERE seq <= 10');
      plantTrim(genuine);
      expect(fixture.verify()).toEqual({ ok: true, events: 15, checkpoints: 3 });
    });
  });

  it('[LOG-03] a trim whose statement cannot be witnessed in the checkpoint file removes nothing', () => {
    // A directory where the file should be: the line cannot be written, so the transaction rolls back.
    const log = fixture.log({ checkpointFile: fixture.dir });
    expect(() => log.trim(10)).toThrow();
    const db = fixture.open();
    expect(db.prepare('SELECT count(*) FROM audit_events').pluck().get()).toBe(25);
    expect(db.prepare(`SELECT count(*) FROM audit_checkpoints WHERE kind = 'trim'`).pluck().get()).toBe(0);
    expect(fixture.verify()).toEqual({ ok: true, events: 25, checkpoints: 3 });
  });

  it('[LOG-02] a trim missing from the checkpoint file is detected at its seq; missing from both, it no longer anchors the log', () => {
    fixture.log().trim(10);
    fixture.rewriteFile((line) => line.kind !== 'trim');
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 10,
      problem: 'the trim at event 10 is in the database but not in the checkpoint file',
    });
    fixture.tamper(`DELETE FROM audit_checkpoints WHERE kind = 'trim'`);
    expect(fixture.verify()).toMatchObject(PREFIX_GONE);
  });

  it('[LOG-02] a trim in the file but not in the table no longer anchors the log', () => {
    fixture.log().trim(10);
    fixture.tamper(`DELETE FROM audit_checkpoints WHERE kind = 'trim'`);
    expect(fixture.verify()).toMatchObject(PREFIX_GONE);
  });

  it('[LOG-02] after key rotation each statement is checked with the key of its version', async () => {
    const rotatedSeed = Buffer.alloc(32, 2);
    const log = fixture.log({ signingSeed: rotatedSeed, keyVersion: 2 });
    await log.record(sampleEvent('usr_ana', 26));
    log.trim(10);
    log.close();
    const keys = new Map([
      [1, fixture.publicKey],
      [2, auditSigningKeys(rotatedSeed).publicKey],
    ]);
    const verify = (publicKey: Parameters<typeof verifyAuditChain>[0]['publicKey']) =>
      verifyAuditChain({ db: fixture.open(), scope: SCOPE, publicKey, checkpointFile: fixture.checkpointFile });

    expect(verify((version) => keys.get(version))).toEqual({ ok: true, events: 17, checkpoints: 4 });
    expect(verify(fixture.publicKey)).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(verify((version) => (version === 1 ? fixture.publicKey : undefined))).toMatchObject({
      ok: false,
      firstBadSeq: 1,
      problem: 'events 1–10 are missing and no valid trim anchors event 11',
    });
  });
});
