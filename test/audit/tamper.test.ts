import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chainHash, eventHash, eventJson } from '../../src/audit/chain.ts';
import { readStatementFile, statementLine } from '../../src/audit/checkpoint-file.ts';
import type { EventRow } from '../../src/audit/event.ts';
import { auditSigningKeys, signStatement } from '../../src/audit/signing.ts';
import { AuditFixture } from './fixture.ts';

const COLUMNS =
  'seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, ip, user_agent, request_id, outcome, details, prev_hash, hash';
// Hashes are stored as raw bytes; the tests handle them as hex, like EventRow.
const SELECT_ROW = COLUMNS.replace(/\b(prev_hash|hash)\b/g, 'lower(hex($1))');
const INSERT_ROW = COLUMNS.replace(/\w+/g, '?').replace(/\?, \?$/, 'unhex(?), unhex(?)');

let fixture: AuditFixture;
// 25 events; checkpoints at 10, 20 and 25 (the last one from close()).
beforeEach(async () => {
  fixture = new AuditFixture();
  await fixture.writeEvents(25);
});
afterEach(() => fixture.cleanup());

function row(seq: number): EventRow {
  return fixture.open().prepare(`SELECT ${SELECT_ROW} FROM audit_events WHERE seq = ?`).raw(true).get(seq) as EventRow;
}

/** Overwrites the row at `row[0]` with exactly these column values. */
function replaceRow(replacement: EventRow): void {
  fixture.tamper(`DELETE FROM audit_events WHERE seq = ?`, replacement[0]);
  fixture.tamper(`INSERT INTO audit_events (${COLUMNS}) VALUES (${INSERT_ROW})`, ...replacement);
}

function fileLines(): string[] {
  return readFileSync(fixture.checkpointFile, 'utf8').trimEnd().split('\n');
}

describe('audit log: tamper evidence', () => {
  it('[LOG-02] an untouched log verifies', () => {
    expect(fixture.verify()).toEqual({ ok: true, events: 25, checkpoints: 3 });
  });

  it.each([
    ['id', randomUUID()],
    ['occurred_at', '2020-01-01T00:00:00.000Z'],
    ['actor_type', 'system'],
    ['actor_id', 'usr_mallory'],
    ['action', 'workspace.profile.read'],
    ['target_type', 'dataset'],
    ['target_id', 'ws_beta'],
    ['ip', '192.0.2.66'],
    ['user_agent', null],
    ['request_id', 'req_other'],
    ['outcome', 'failure'],
    ['details', '{"changed":[],"n":7}'],
  ])('[LOG-02] editing %s of one event is detected at that event', (column, value) => {
    fixture.tamper(`UPDATE audit_events SET ${column} = ? WHERE seq = 7`, value);
    expect(fixture.verify()).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'event 7 was altered after it was written' });
  });

  it('[LOG-02] editing the stored hashes breaks the chain at that event', () => {
    fixture.tamper(`UPDATE audit_events SET prev_hash = unhex(?) WHERE seq = 7`, 'f'.repeat(64));
    expect(fixture.verify()).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'event 7 does not follow event 6' });
    fixture.tamper(`UPDATE audit_events SET prev_hash = unhex(?), hash = unhex(?) WHERE seq = 7`, row(6)[14], 'e'.repeat(64));
    expect(fixture.verify()).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'event 7 was altered after it was written' });
  });

  it('[LOG-02] a prev_hash with bytes appended does not pass for the previous hash, even with its own hash recomputed', () => {
    const padded = `${row(6)[14]}00`;
    fixture.tamper('UPDATE audit_events SET prev_hash = unhex(?) WHERE seq = 7', padded);
    fixture.tamper('UPDATE audit_events SET hash = unhex(?) WHERE seq = 7', chainHash(padded, eventJson(row(7))));
    expect(fixture.verify()).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'event 7 does not follow event 6' });
  });

  it('[LOG-02] an edit with every later hash recomputed is caught by the next signed checkpoint', () => {
    // The chain itself has no secret: only the Ed25519 checkpoint at 10 exposes this.
    let prevHash = row(6)[14];
    for (let seq = 7; seq <= 25; seq++) {
      const forged = row(seq);
      if (seq === 7) forged[12] = '{"changed":["owner"],"n":7}';
      forged[13] = prevHash;
      forged[14] = eventHash(forged);
      prevHash = forged[14];
      replaceRow(forged);
    }
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 10,
      problem: 'events 1–10 were rewritten: event 10 does not match its signed checkpoint',
    });
  });

  it('[LOG-02] deleting an event in the middle is detected at the missing seq', () => {
    fixture.tamper('DELETE FROM audit_events WHERE seq = 14');
    expect(fixture.verify()).toMatchObject({ ok: false, firstBadSeq: 14, problem: 'event 14 is missing' });
  });

  it('[LOG-02] deleting the first event is detected at seq 1', () => {
    fixture.tamper('DELETE FROM audit_events WHERE seq = 1');
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 1,
      problem: 'event 1 is missing and no valid trim anchors event 2',
    });
  });

  it('[LOG-02] inserting a well-formed forged event shifts the next one out of the chain', () => {
    // Make room at 15 by moving 15…25 up one (via negatives, so the primary key never collides).
    fixture.tamper('UPDATE audit_events SET seq = -seq WHERE seq >= 15');
    fixture.tamper('UPDATE audit_events SET seq = 1 - seq WHERE seq < 0');
    const forged = row(14);
    forged[0] = 15;
    forged[1] = randomUUID();
    forged[4] = 'usr_mallory';
    forged[13] = row(14)[14];
    forged[14] = eventHash(forged);
    replaceRow(forged);
    // The forgery itself chains correctly (the chain has no secret); the displaced event no longer does.
    expect(fixture.verify()).toMatchObject({ ok: false, firstBadSeq: 16, problem: 'event 16 does not follow event 15' });
  });

  it('[LOG-02] inserting an event with a made-up hash is detected at that event', () => {
    fixture.tamper('DELETE FROM audit_events WHERE seq > 20');
    const forged = row(20);
    forged[0] = 21;
    forged[13] = row(20)[14];
    forged[14] = 'a'.repeat(64);
    replaceRow(forged);
    expect(fixture.verify()).toMatchObject({ ok: false, firstBadSeq: 21, problem: 'event 21 was altered after it was written' });
  });

  it('[LOG-02] swapping the contents of two events is detected at the first of them', () => {
    const [twelve, thirteen] = [row(12), row(13)];
    replaceRow([12, ...thirteen.slice(1)] as EventRow);
    replaceRow([13, ...twelve.slice(1)] as EventRow);
    expect(fixture.verify()).toMatchObject({ ok: false, firstBadSeq: 12, problem: 'event 12 does not follow event 11' });
  });

  it('[LOG-02] cutting events off the end before the last checkpoint is detected after the last remaining event', () => {
    fixture.tamper('DELETE FROM audit_events WHERE seq > 22');
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 23,
      problem: 'the log ends at event 22, but the checkpoint at event 25 was signed',
    });
    // Removing the database's own checkpoint does not help: the file still has it.
    fixture.tamper('DELETE FROM audit_checkpoints WHERE seq = 25');
    expect(fixture.verify()).toMatchObject({ ok: false, firstBadSeq: 23 });
  });

  it('[LOG-02] deleting every event is detected from event 1', () => {
    fixture.tamper('DELETE FROM audit_events');
    expect(fixture.verify()).toMatchObject({
      ok: false,
      events: 0,
      firstBadSeq: 1,
      problem: 'events 1–25 are missing: no events remain, but the log had reached event 25',
    });
  });

  it('[LOG-02] a checkpoint signed with another key is rejected', () => {
    const stranger = auditSigningKeys(Buffer.alloc(32, 1)).privateKey;
    const genuine = readStatementFile(fixture.checkpointFile).statements[1]!;
    const forged = signStatement(genuine, stranger);
    fixture.tamper('UPDATE audit_checkpoints SET signature = ? WHERE seq = 20', forged.signature);
    const lines = fileLines().map((line, index) => (index === 1 ? statementLine(forged) : line));
    writeFileSync(fixture.checkpointFile, `${lines.join('\n')}\n`);
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 20,
      problem: 'the checkpoint at event 20 has an invalid signature',
    });
  });

  it('[LOG-02] verifying with the wrong public key fails at the first checkpoint', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(fixture.verify({ publicKey })).toMatchObject({ ok: false, firstBadSeq: 10 });
  });

  it('[LOG-02] checkpoints are bound to their log: verifying them as another workspace’s fails', () => {
    expect(fixture.verify({ scope: 'ws_beta' })).toMatchObject({
      ok: false,
      firstBadSeq: 10,
      problem: 'the checkpoint at event 10 has an invalid signature',
    });
  });

  it('[LOG-02] a checkpoint line from another workspace’s file is rejected', () => {
    const foreign = { ...readStatementFile(fixture.checkpointFile).statements[0]!, scope: 'ws_beta' };
    writeFileSync(fixture.checkpointFile, `${[statementLine(foreign), ...fileLines().slice(1)].join('\n')}\n`);
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 10,
      problem: 'the checkpoint at event 10 belongs to log "ws_beta"',
    });
  });

  it('[LOG-02] deleting a checkpoint line from the file is detected at its seq', () => {
    writeFileSync(fixture.checkpointFile, `${fileLines().slice(1).join('\n')}\n`);
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 10,
      problem: 'the checkpoint at event 10 is in the database but not in the checkpoint file',
    });
  });

  it('[LOG-02] deleting a checkpoint from the database is detected at its seq', () => {
    fixture.tamper('DELETE FROM audit_checkpoints WHERE seq = 20');
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 20,
      problem: 'the checkpoint at event 20 is in the checkpoint file but not in the database',
    });
  });

  it('[LOG-02] editing a checkpoint in the database is detected at its seq', () => {
    fixture.tamper('UPDATE audit_checkpoints SET signed_at = ? WHERE seq = 20', '2030-01-01T00:00:00.000Z');
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 20,
      problem: 'the checkpoint at event 20 has an invalid signature',
    });
  });

  it('[LOG-02] a file line that differs from the database is detected even when both are validly signed', () => {
    const genuine = readStatementFile(fixture.checkpointFile).statements[1]!;
    const resigned = signStatement(
      { ...genuine, signedAt: '2030-01-01T00:00:00.000Z' },
      auditSigningKeys(fixture.signingSeed).privateKey,
    );
    const lines = fileLines().map((line, index) => (index === 1 ? statementLine(resigned) : line));
    writeFileSync(fixture.checkpointFile, `${lines.join('\n')}\n`);
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 20,
      problem: 'the checkpoint at event 20 differs between the database and the checkpoint file',
    });
  });

  it('[LOG-02] a garbled checkpoint file line is reported after the last good checkpoint', () => {
    appendFileSync(fixture.checkpointFile, '{"seq": "not a checkpoint"}\n');
    expect(fixture.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 26,
      problem: 'line 4 of the checkpoint file is not a signed statement',
    });
  });

  it('[LOG-02] Enclave’s own connections cannot edit history: updates, and deletions without a signed trim, are refused', () => {
    const db = fixture.open();
    expect(() => db.prepare(`UPDATE audit_events SET outcome = 'failure' WHERE seq = 3`).run()).toThrow(/append-only/);
    // Rows behind a checkpoint are no exception: only a trim statement licenses removal.
    expect(() => db.prepare('DELETE FROM audit_events WHERE seq <= 10').run()).toThrow(/signed retention trim/);
    expect(() => db.prepare('DELETE FROM audit_events WHERE seq = 25').run()).toThrow(/signed retention trim/);
    expect(() => db.prepare('DELETE FROM audit_checkpoints WHERE seq = 10').run()).toThrow(/append-only/);
    expect(() => db.prepare(`UPDATE audit_checkpoints SET signed_at = '' WHERE seq = 10`).run()).toThrow(/append-only/);
    expect(fixture.verify()).toMatchObject({ ok: true });
  });
});
