import { describe, expect, it } from 'vitest';
import { CIRCULAR, redactValue, sensitiveKeyKind } from '../../src/core/redact/index.ts';
import { cardNumber, fake } from './fakes.ts';

const password = fake.password('value');
const card = cardNumber('4', 16, 'value-card');
const jwt = fake.jwt({ sub: 'usr_3' }, 'value-jwt');

describe('redactValue', () => {
  it('[LOG-05] masks values under secret key names, whatever their type', () => {
    const input = {
      user: 'ops',
      password,
      DB_PASSWORD: password,
      'x-api-key': password,
      clientSecret: password,
      refresh_token: 12345,
      sessionId: password,
      credentials: { user: 'ops', pass: password },
      'set-cookie': [`sid=${password}`, 'theme=dark'],
      headers: { Authorization: `Bearer ${jwt}`, accept: 'application/json' },
    };
    expect(redactValue(input)).toEqual({
      user: 'ops',
      password: '[REDACTED:password]',
      DB_PASSWORD: '[REDACTED:password]',
      'x-api-key': '[REDACTED:api-key]',
      clientSecret: '[REDACTED:secret]',
      refresh_token: '[REDACTED:token]',
      sessionId: '[REDACTED:session]',
      credentials: '[REDACTED:credential]',
      'set-cookie': '[REDACTED:cookie]',
      headers: { Authorization: '[REDACTED:authorization]', accept: 'application/json' },
    });
  });

  it('[LOG-05] keeps empty values under secret keys, which reveal nothing', () => {
    expect(redactValue({ password: '', token: null, secret: undefined })).toEqual({ password: '', token: null, secret: undefined });
  });

  it('[LOG-05] masks every string by content, at any depth and in arrays', () => {
    const input = { events: [{ note: `paid with ${card}` }, [[`mail carol@example.com`]]], count: 3, ok: true };
    expect(redactValue(input)).toEqual({
      events: [{ note: 'paid with [REDACTED:card]' }, [['mail [REDACTED:email]']]],
      count: 3,
      ok: true,
    });
  });

  it('[LOG-05] masks numbers that are card or Aadhaar numbers and keeps other numbers as numbers', () => {
    expect(redactValue({ card: Number(card), amount: 12.5, time: 1_705_312_200_123, big: 2n ** 70n })).toEqual({
      card: '[REDACTED:card]',
      amount: 12.5,
      time: 1_705_312_200_123,
      big: 2n ** 70n,
    });
  });

  it('[LOG-05] leaves the input untouched', () => {
    const input = { password, nested: { note: `card ${card}` } };
    const before = structuredClone(input);
    redactValue(input);
    expect(input).toEqual(before);
  });

  it('[LOG-05] replaces references back to an ancestor and keeps shared branches shared', () => {
    const shared = { note: card };
    const root: Record<string, unknown> = { name: 'root', left: shared, right: shared };
    root.self = root;
    (shared as Record<string, unknown>).up = root;
    const copy = redactValue(root) as Record<string, Record<string, unknown>>;
    expect(copy.self).toBe(CIRCULAR);
    expect(copy.left).toEqual({ note: '[REDACTED:card]', up: CIRCULAR });
    expect(copy.right).toBe(copy.left);
  });

  it('[LOG-05] copies a chain of shared branches once, not once per path', () => {
    let node: unknown = { leaf: card };
    for (let depth = 0; depth < 60; depth++) node = [node, node];
    const copy = redactValue(node) as unknown[];
    expect(copy[0]).toBe(copy[1]);
  });

  it('[LOG-05] handles nesting far deeper than the call stack allows', () => {
    const depth = 200_000;
    const root: Record<string, unknown> = {};
    let cursor = root;
    for (let i = 0; i < depth; i++) {
      const next: Record<string, unknown> = {};
      cursor.child = next;
      cursor = next;
    }
    cursor.password = password;
    let copy = redactValue(root) as Record<string, unknown>;
    for (let i = 0; i < depth; i++) copy = copy.child as Record<string, unknown>;
    expect(copy).toEqual({ password: '[REDACTED:password]' });
  });

  it('[LOG-05] serializes like JSON.stringify: toJSON first, and errors with message and stack', () => {
    const url = `${'postgres'}://app:${password}@db/x`;
    const error = new Error(`connect ${url} failed`, { cause: new Error(`token=${password}`) });
    const copy = redactValue({ at: new Date(0), error }) as { at: string; error: Record<string, unknown> };
    expect(copy.at).toBe('1970-01-01T00:00:00.000Z');
    expect(copy.error.name).toBe('Error');
    expect(copy.error.message).toBe(`connect ${url.replace(password, '[REDACTED:password]')} failed`);
    expect(copy.error.stack).toContain('[REDACTED:password]');
    expect(copy.error.cause).toEqual(expect.objectContaining({ message: 'token=[REDACTED:token]' }));
    expect(JSON.stringify(copy)).not.toContain(password);
  });

  it('[LOG-05] keeps a "__proto__" key as data and does not change the copy\'s prototype', () => {
    const input = JSON.parse(`{"__proto__":{"polluted":"${card}"}}`) as object;
    const copy = redactValue(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ polluted: '[REDACTED:card]' });
  });

  it('[LOG-05] masks a top-level string or number too', () => {
    expect(redactValue(`Bearer ${jwt}`)).toBe('Bearer [REDACTED:bearer]');
    expect(redactValue(Number(card))).toBe('[REDACTED:card]');
    expect(redactValue(null)).toBeNull();
  });

  it('[LOG-05] recognizes secret key names by their ending, not counters and settings', () => {
    for (const name of ['password', 'Password', 'db_password', 'userPassword', 'password_hash', 'passwd', 'pwd', 'passphrase', 'x-api-key', 'apiKey', 'private_key', 'secret', 'client_secret', 'secretKey', 'token', 'access_token', 'X-Auth-Token', 'session', 'sessionId', 'PHPSESSID', 'credentials', 'authorization', 'Proxy-Authorization', 'cookie', 'Set-Cookie']) {
      expect(sensitiveKeyKind(name), name).toBeDefined();
    }
    for (const name of ['max_tokens', 'token_type', 'tokens', 'password_reset_at', 'passwordless', 'session_count', 'author', 'keyboard', 'secretary', 'cookies_enabled']) {
      expect(sensitiveKeyKind(name), name).toBeUndefined();
    }
  });
});
