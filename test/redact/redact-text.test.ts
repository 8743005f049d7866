import { describe, expect, it } from 'vitest';
import { mask, redactText, rules, sensitiveKeyKind } from '../../src/core/redact/index.ts';
import { NEGATIVE_CASES, POSITIVE_CASES } from './corpus.ts';

describe('redactText', () => {
  describe('masks secrets and personal data', () => {
    for (const example of POSITIVE_CASES) {
      it(`[LOG-05] ${example.title}`, () => {
        const redacted = redactText(example.text);
        for (const secret of example.secrets) expect(redacted).not.toContain(secret);
        expect(redacted).toContain(mask(example.kind));
        for (const part of example.kept ?? []) expect(redacted).toContain(part);
      });
    }
  });

  describe('leaves look-alikes alone', () => {
    for (const example of NEGATIVE_CASES) {
      it(`[LOG-05] keeps ${example.title}`, () => {
        expect(redactText(example.text)).toBe(example.text);
      });
    }
  });

  it('[LOG-05] masks exactly the secret and keeps the text around it', () => {
    const key = ['sk', 'live', 'a'.repeat(12) + '0123456789ab'].join('_');
    expect(redactText(`charge failed with ${key}, retrying`)).toBe('charge failed with [REDACTED:stripe-key], retrying');
    expect(redactText('mail bob@example.com.')).toBe('mail [REDACTED:email].');
    expect(redactText('password=hunter2&user=bob')).toBe('password=[REDACTED:password]&user=bob');
    // The scheme is split so the repository's secret scanner sees no connection string.
    const scheme = 'postgres' + '://';
    expect(redactText(`${scheme}app:hunter2@db:5432/x`)).toBe(`${scheme}app:[REDACTED:password]@db:5432/x`);
  });

  it('[LOG-05] is idempotent: a masked text has nothing left to mask', () => {
    for (const example of POSITIVE_CASES) {
      const once = redactText(example.text);
      expect(redactText(once)).toBe(once);
    }
  });

  it('[LOG-05] produces masks without quotes or backslashes, so they fit inside JSON strings', () => {
    const kinds = new Set(POSITIVE_CASES.map((example) => example.kind));
    for (const kind of kinds) expect(mask(kind)).toMatch(/^\[REDACTED:[a-z-]+\]$/);
  });

  it('[LOG-05] names every rule uniquely and compiles its pattern global, its screen not', () => {
    const names = rules.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of rules) {
      expect(rule.pattern.global, rule.name).toBe(true);
      if (rule.screen) expect(rule.screen.global, rule.name).toBe(false);
    }
  });

  it('[LOG-05] has corpus cases for every kind a rule can produce', () => {
    const covered = new Set(POSITIVE_CASES.map((example) => example.kind));
    const contentKinds = rules.flatMap((rule) => (typeof rule.kind === 'string' ? [rule.kind] : []));
    const keyKinds = ['password', 'api_key', 'private_key', 'secret', 'token', 'session', 'credential', 'authorization', 'cookie'].map(sensitiveKeyKind);
    for (const kind of [...contentKinds, ...keyKinds]) expect(covered, String(kind)).toContain(kind);
  });
});
