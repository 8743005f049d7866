import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactText } from '../../src/core/redact/index.ts';
import { POSITIVE_CASES } from './corpus.ts';
import { aadhaarNumber, cardNumber, fake, groupDigits } from './fakes.ts';

const card = cardNumber('4', 16, 'json-card');
const jwt = fake.jwt({ sub: 'usr_7' }, 'json-jwt');
const password = fake.password('json');

/** Log records with secrets next to everything JSON escapes. */
const RECORDS: Record<string, unknown>[] = [
  { level: 30, msg: `payment ${card} ok`, user: { email: 'carol@example.com', phone: '+44 20 7946 0958' } },
  { msg: `quote"${card}"quote`, path: 'C:\\Users\\carol\\' + card },
  { msg: `newline\n${jwt}\n\ttab`, control: `\u0000\u001f${card}\u007f`, password: `\u0001${password}\u001f` },
  { headers: { authorization: `Bearer ${jwt}`, cookie: `sid=${password}; theme="dark"` } },
  { password, secret: password, token: 12345, session: null, nested: { client_secret: password } },
  { card: Number(card), cards: [Number(card), 7, Number(card)], aadhaar: Number(aadhaarNumber('json')) },
  { msg: JSON.stringify({ password, card, inner: JSON.stringify({ token: password, email: 'dave@example.com' }) }) },
  { msg: `password="${password}", next="value"`, other: 'password=', last: '"' },
  { msg: `surrogates \ud83d\ude00 ${card} lone \ud800 ${jwt}` },
  { msg: fake.pem('RSA PRIVATE KEY', 'json'), key: fake.pem('EC PRIVATE KEY', 'json2', '\r\n') },
  { msg: `url postgres://app:${password}@db/x and https://u:${password}@h.example.com/p?q="1"` },
  { list: [`${groupDigits(card, [4, 4, 4, 4], '-')}`, '\\', '\\\\', '\\"', `\\${card}\\`] },
  { 'pass"word': card, 'to\\ken': jwt, 'api_key\n': 'carol@example.com' },
];

const parseRedacted = (text: string): unknown => JSON.parse(redactText(text));

describe('redactText on serialized JSON', () => {
  it('[LOG-05] keeps every log record valid JSON and removes its secrets', () => {
    for (const record of RECORDS) {
      const text = JSON.stringify(record);
      const parsed = parseRedacted(text);
      expect(Object.keys(parsed as object)).toEqual(Object.keys(record));
      const again = JSON.stringify(parsed);
      for (const secret of [card, jwt, password, 'carol@example.com', '7946 0958']) expect(again).not.toContain(secret);
    }
  });

  it('[LOG-05] keeps pretty-printed records valid JSON', () => {
    for (const record of RECORDS) expect(() => parseRedacted(JSON.stringify(record, null, 2))).not.toThrow();
  });

  it('[LOG-05] keeps every corpus text valid and masked once serialized, and once more serialized twice', () => {
    for (const example of POSITIVE_CASES) {
      const once = parseRedacted(JSON.stringify({ msg: example.text })) as { msg: string };
      const twice = JSON.parse(parseRedacted(JSON.stringify(JSON.stringify({ msg: example.text }))) as string) as { msg: string };
      for (const secret of example.secrets) {
        expect(once.msg, example.title).not.toContain(secret);
        expect(twice.msg, example.title).not.toContain(secret);
      }
    }
  });

  it('[LOG-05] masks a JSON number that is a card as a JSON string', () => {
    expect(parseRedacted(JSON.stringify({ card: Number(card), n: 1 }))).toEqual({ card: '[REDACTED:card]', n: 1 });
    expect(parseRedacted(`[${card}, ${card}]`)).toEqual(['[REDACTED:card]', '[REDACTED:card]']);
  });

  it('[LOG-05] removes secrets set between words anywhere in arbitrary JSON', () => {
    const secrets = [card, jwt, fake.stripe(), fake.awsAccessKeyId(), fake.enclave('k'), 'carol@example.com', '+44 20 7946 0958'];
    const noise = fc.string({ maxLength: 12, unit: 'binary' });
    const sentence = fc.tuple(noise, fc.constantFrom(...secrets), noise).map(([before, secret, after]) => `${before} ${secret} ${after}`);
    const document = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(sentence, fc.array(sentence, { maxLength: 3 })), { minKeys: 1, maxKeys: 4 });
    fc.assert(
      fc.property(document, (generated) => {
        const redacted = JSON.stringify(parseRedacted(JSON.stringify(generated)));
        for (const secret of secrets) expect(redacted).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });

  it('[LOG-05] keeps arbitrary JSON valid, at every level of nesting, when secrets and escapes are mixed into it', () => {
    const fragments = fc.constantFrom(
      card,
      jwt,
      password,
      `password=${password}`,
      `"password":"${password}"`,
      'token: ',
      'Bearer ',
      'Basic ',
      'https://u:',
      '@example.com',
      'x@y.io',
      '+44 20 7946 0958',
      groupDigits(card, [4, 4, 4, 4], ' '),
      '-----BEGIN RSA PRIVATE KEY-----',
      '"',
      '\\',
      '\n',
      '\u0001',
      '\ud800',
      ':',
      ',',
      '}',
      '=',
      ' ',
    );
    const text = fc.array(fc.oneof(fragments, fc.string({ maxLength: 8, unit: 'binary' })), { maxLength: 12 }).map((parts) => parts.join(''));
    const key = fc.oneof(fc.constantFrom('password', 'token', 'cookie', 'Authorization', 'msg', 'card'), text);
    const valueWith = (scalars: fc.Arbitrary<unknown>) =>
      fc.letrec<{ node: unknown }>((tie) => ({
        node: fc.oneof(
          { depthSize: 'small' },
          text,
          scalars,
          fc.array(tie('node'), { maxLength: 4 }),
          fc.dictionary(key, tie('node'), { maxKeys: 4 }),
        ),
      })).node;
    const value = valueWith(fc.constantFrom(Number(card), 42, -1.5e-7, null, true));
    fc.assert(
      fc.property(value, fc.boolean(), (generated, pretty) => {
        const serialized = pretty ? JSON.stringify(generated, null, 2) : JSON.stringify(generated);
        expect(() => parseRedacted(serialized)).not.toThrow();
      }),
      { numRuns: 500 },
    );
    // A document serialized into a message, once or twice, stays a parseable document there,
    // as long as it holds no numbers: one under a secret key or shaped like a card is masked
    // in place, where its mask can no longer be quoted.
    fc.assert(
      fc.property(valueWith(fc.constantFrom(null, true, false)), (generated) => {
        const inner = JSON.stringify({ msg: JSON.stringify({ body: JSON.stringify(generated) }) });
        const outer = parseRedacted(inner) as { msg: string };
        expect(() => JSON.parse((JSON.parse(outer.msg) as { body: string }).body)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
