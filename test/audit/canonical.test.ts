import { createHash, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/audit/canonical-json.ts';
import { GENESIS_HASH, eventHash } from '../../src/audit/chain.ts';
import type { EventRow } from '../../src/audit/event.ts';
import { auditSigningKeys } from '../../src/audit/signing.ts';

describe('audit log: hashing and signing formats', () => {
  it('[LOG-02] canonical JSON sorts keys at every level, integer-like keys included', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'é' }], c: true }, 10: 'x', 9: 'y', skip: undefined })).toBe(
      '{"10":"x","9":"y","a":{"c":true,"d":[3,{"y":"é","z":null}]},"b":1}',
    );
    expect(canonicalJson({ when: new Date(0) })).toBe('{"when":"1970-01-01T00:00:00.000Z"}');
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('[LOG-02] an event hash is SHA-256 of prev_hash and the canonical JSON of every other column', () => {
    const row: EventRow = [
      1, 'a3c1e0c2-5a0e-4d0e-9a53-0f6f1b1e2d3c', '2026-03-04T03:06:07.089Z', 'user', 'usr_"ana"\n', 'workspace.profile.update',
      null, null, '203.0.113.9', 'Mozilla/5.0 \u2028', 'req_1', 'success', '{"changed":["name"]}', GENESIS_HASH, '',
    ];
    const [seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, ip, user_agent, request_id, outcome, details] = row;
    const canonical = canonicalJson({
      seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, ip, user_agent, request_id, outcome, details,
    });
    const expected = createHash('sha256').update(GENESIS_HASH + canonical, 'utf8').digest('hex');
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
});
