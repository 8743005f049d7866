import { describe, expect, it } from 'vitest';
import { redactText, redactValue } from '../../src/core/redact/index.ts';

const MB = 1 << 20;
const fill = (unit: string, bytes = MB): string => unit.repeat(Math.ceil(bytes / unit.length));

/**
 * Inputs built to make a backtracking pattern go quadratic or worse: long runs of what a rule
 * starts with, with the part that would complete a match missing. A pattern that is not
 * linear takes minutes on a megabyte and fails on vitest's timeout; these assert the output.
 */
const UNCHANGED: Record<string, string> = {
  'one letter': fill('a'),
  'one digit': fill('7'),
  'digits starting 4, no boundary': fill('4'),
  'digit groups': fill('0123 '),
  'card-shaped digit groups failing Luhn': fill('5500 '),
  'dashed card-shaped groups': fill('4111-'),
  'dashed digit pairs': fill('12-'),
  'dotted digits': fill('12.'),
  'plus signs and digits': fill('+1'),
  'parenthesised area codes': fill('(555) '),
  'trunk-0 groups': fill('0 12 '),
  'local parts without a domain': fill('a.b@'),
  'at signs': fill('@a'),
  'dotted domains without a local part': fill('.example'),
  'schemes without a password': fill('https://u:'),
  'scheme characters': fill('a+b.c-'),
  'JWT headers without segments': fill('eyJ.'),
  'a base64 run of JWT prefixes': fill('eyJ'),
  'JWT headers and payloads without signatures': fill('eyJa.eyJb '),
  'secret key names without values': fill('password'),
  'counters named after secrets': fill('token_count:1 '),
  'Bearer without a token': fill('Bearer '),
  'Basic with undecodable text': fill('Basic abc '),
  'sk- prefixes': fill('sk-'),
  'AKIA prefixes': fill('AKIA'),
  'IBAN prefixes': fill('DE89 '),
  'PAN-like letters': fill('ABCPE'),
  'backslashes': fill('\\'),
  'escaped quotes': fill('\\"'),
};

describe('linear time on adversarial input', () => {
  for (const [name, text] of Object.entries(UNCHANGED)) {
    it(`[LOG-05] passes 1 MB of ${name} through unchanged`, () => {
      expect(redactText(text) === text).toBe(true);
    });
  }

  it('[LOG-05] masks a 1 MB value after a secret key in one piece', () => {
    expect(redactText(`password=${fill('x')}`)).toBe('password=[REDACTED:password]');
    expect(redactText(fill('token:'))).toBe('token:[REDACTED:token]');
    expect(redactText(`{"password":"${fill('\\\\')}"}`)).toBe('{"password":"[REDACTED:password]"}');
  });

  it('[LOG-05] masks a quoted value opened by escaped quotes whose closing never comes', () => {
    const text = `{"msg":"{\\"password\\":\\"${fill('a\\\\\\"')}"}`;
    expect(() => JSON.parse(redactText(text))).not.toThrow();
  });

  it('[LOG-05] masks a truncated private key to its end', () => {
    expect(redactText(`-----BEGIN RSA PRIVATE KEY-----\n${fill('MIIEowIBAAKCAQEA\n')}`)).toBe('[REDACTED:private-key]');
  });

  it('[LOG-05] masks each of many private key headers with no body', () => {
    const header = '-----BEGIN RSA PRIVATE KEY-----';
    expect(redactText(fill(header))).toBe('[REDACTED:private-key]'.repeat(Math.ceil(MB / header.length)));
  });

  it('[LOG-05] masks a megabyte of email addresses', () => {
    const redacted = redactText(fill('carol@example.com '));
    expect(redacted).toBe(fill('carol@example.com ').replaceAll('carol@example.com', '[REDACTED:email]'));
  });

  it('[LOG-05] redacts a wide object and a long array quickly enough to finish', () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i % 2 ? 'password reset' : `token=${i}x`]));
    const copy = redactValue(wide) as Record<string, string>;
    expect(copy.k1).toBe('password reset');
    expect(copy.k2).toBe('token=[REDACTED:token]');
    const list = Array.from({ length: 200_000 }, (_, i) => i);
    expect(redactValue(list)).toEqual(list);
  });
});
