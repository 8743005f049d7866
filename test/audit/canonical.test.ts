import { createHash, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/audit/canonical-json.ts';
import { EVENT_JSON_SQL, GENESIS_HASH, eventHash, eventJson } from '../../src/audit/chain.ts';
import type { AuditEventInput, EventRow } from '../../src/audit/event.ts';
import { auditSigningKeys, signStatement, statementSignatureValid } from '../../src/audit/signing.ts';
import { AuditFixture } from './fixture.ts';

const HEX_ROW =
  'seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, ip, user_agent, request_id, outcome, details, lower(hex(prev_hash)), lower(hex(hash))';

/** An event carrying `text` in every free-text column and in its details. */
function eventWith(text: string, n: number): AuditEventInput {
  return {
    actor: { type: 'user', id: `u${text}` },
    action: 'workspace.profile.update',
    target: { type: 'workspace', id: `w${text}` },
    outcome: 'success',
    ip: text,
    userAgent: text,
    requestId: text,
    details: { [text]: [text, n] },
  };
}

/** Records the events, then holds SQLite's rendering of every stored row against the writer's. */
async function expectSameRendering(fixture: AuditFixture, events: AuditEventInput[]): Promise<void> {
  const log = fixture.log();
  await Promise.all(events.map((event) => log.record(event)));
  log.close();
  const rows = fixture
    .open()
    .prepare(`SELECT ${HEX_ROW}, ${EVENT_JSON_SQL} FROM audit_events ORDER BY seq`)
    .raw(true)
    .all() as [...EventRow, string][];
  for (const row of rows) expect(row[15]).toBe(eventJson(row.slice(0, 15) as EventRow));
}

describe('audit log: hashing and signing formats', () => {
  it('[LOG-02] canonical JSON sorts keys at every level, integer-like keys included', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'é' }], c: true }, 10: 'x', 9: 'y', skip: undefined })).toBe(
      '{"10":"x","9":"y","a":{"c":true,"d":[3,{"y":"é","z":null}]},"b":1}',
    );
    expect(canonicalJson({ when: new Date(0) })).toBe('{"when":"1970-01-01T00:00:00.000Z"}');
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('[LOG-02] canonical JSON of any JSON value matches sorting every object, keys inserted in any order', () => {
    const reference = (value: unknown): string => {
      if (value === null || typeof value !== 'object') return JSON.stringify(value);
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      const record = value as Record<string, unknown>;
      return `{${Object.keys(record).sort().map((key) => `${JSON.stringify(key)}:${reference(record[key])}`).join(',')}}`;
    };
    // Rebuilt with keys inserted in sorted order, as most callers write them (V8 still lists integer-like keys first).
    const insertedSorted = (value: unknown): unknown => {
      if (value === null || typeof value !== 'object') return value;
      if (Array.isArray(value)) return value.map(insertedSorted);
      const record = value as Record<string, unknown>;
      return Object.fromEntries(Object.keys(record).sort().map((key) => [key, insertedSorted(record[key])]));
    };
    const value = fc.oneof(fc.jsonValue(), fc.jsonValue().map(insertedSorted));
    fc.assert(
      fc.property(value, (generated) => {
        expect(canonicalJson(generated)).toBe(reference(generated));
      }),
      { numRuns: 1000 },
    );
    expect(canonicalJson({ a: [1, { c: 1, b: 2 }] })).toBe('{"a":[1,{"b":2,"c":1}]}');
  });

  it('[LOG-02] an event hash is SHA-256 of prev_hash and the JSON array of every other column in table order', () => {
    const row: EventRow = [
      1, 'a3c1e0c2-5a0e-4d0e-9a53-0f6f1b1e2d3c', '2026-03-04T03:06:07.089Z', 'user', 'usr_"ana"\n', 'workspace.profile.update',
      null, null, '203.0.113.9', 'Mozilla/5.0 \u2028', 'req_1', 'success', '{"changed":["name"]}', GENESIS_HASH, '',
    ];
    const json =
      '[1,"a3c1e0c2-5a0e-4d0e-9a53-0f6f1b1e2d3c","2026-03-04T03:06:07.089Z","user","usr_\\"ana\\"\\n","workspace.profile.update",' +
      'null,null,"203.0.113.9","Mozilla/5.0 \u2028","req_1","success","{\\"changed\\":[\\"name\\"]}"]';
    const expected = createHash('sha256').update(GENESIS_HASH + json, 'utf8').digest('hex');
    expect(eventHash(row)).toBe(expected);
  });

  it('[LOG-02] the signing key is the standard Ed25519 key for its seed (RFC 8032 test 1)', () => {
    const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
    const { privateKey, publicKey } = auditSigningKeys(seed);
    expect(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex')).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
    expect(sign(null, Buffer.alloc(0), privateKey).toString('hex')).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(() => auditSigningKeys(Buffer.alloc(31))).toThrow();
  });

  it('[LOG-02] SQLite renders stored columns as exactly the JSON the writer hashed, for any text', async () => {
    // The verifier hashes SQLite's json_array() of the columns; the writer hashed JSON.stringify.
    const fixture = new AuditFixture();
    try {
      const latin1 = Array.from({ length: 256 }, (_, code) => `${String.fromCharCode(code)}|\\"${String.fromCharCode(code)}`);
      const awkward = ['\u2028\u2029', '\ud83d\ude00', '\ufeff\ufffd\uffff', '\ud800 lone', 'a\u0000b', "'\"\\/", ''];
      await expectSameRendering(fixture, [...latin1, ...awkward].map(eventWith));
      await fc.assert(
        fc.asyncProperty(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { minLength: 1, maxLength: 8 }), (texts) =>
          expectSameRendering(fixture, texts.map(eventWith)),
        ),
        { numRuns: 60 },
      );
      expect(fixture.verify()).toMatchObject({ ok: true });
    } finally {
      fixture.cleanup();
    }
  });

  it('[LOG-02] a statement signs its purpose, kind, scope, seq, hash, time and key version', () => {
    const { privateKey, publicKey } = auditSigningKeys(Buffer.alloc(32, 5));
    const fields = { scope: 'ws_alpha', seq: 7, hash: 'ab'.repeat(32), signedAt: '2026-01-02T03:04:05.006Z', keyVersion: 2 };
    for (const kind of ['checkpoint', 'trim'] as const) {
      const statement = signStatement({ kind, ...fields }, privateKey);
      const bytes = Buffer.from(
        `{"hash":"${fields.hash}","key_version":2,"kind":"${kind}","purpose":"enclave.audit.${kind}.v1","scope":"ws_alpha","seq":7,"signed_at":"${fields.signedAt}"}`,
      );
      expect(verify(null, bytes, publicKey, Buffer.from(statement.signature, 'base64url'))).toBe(true);
      expect(statementSignatureValid(statement, publicKey)).toBe(true);
    }
    const checkpoint = signStatement({ kind: 'checkpoint', ...fields }, privateKey);
    expect(statementSignatureValid({ ...checkpoint, kind: 'trim' }, publicKey)).toBe(false);
    expect(statementSignatureValid({ ...checkpoint, kind: 'other' as 'trim' }, publicKey)).toBe(false);
  });
});
