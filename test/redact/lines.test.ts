import { describe, expect, it } from 'vitest';
import { createLineRedactor } from '../../src/core/redact/index.ts';
import { fake } from './fakes.ts';

const redactAll = (text: string): string[] => {
  const redactLine = createLineRedactor();
  return text.split('\n').map(redactLine);
};

describe('createLineRedactor', () => {
  it('[LOG-05] masks the body lines of a private key that arrives one line at a time', () => {
    const key = fake.pem('RSA PRIVATE KEY', 'lines');
    const body = key.split('\n').slice(1, -1);
    const lines = redactAll(`before\n${key}\nafter carol@example.com`);
    expect(lines).toEqual([
      'before',
      '[REDACTED:private-key]',
      ...body.map(() => '[REDACTED:private-key]'),
      '[REDACTED:private-key]',
      'after [REDACTED:email]',
    ]);
  });

  it('[LOG-05] keeps masking what follows the END marker on its line by content only', () => {
    const lines = redactAll(`-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY----- done, mail carol@example.com`);
    expect(lines).toEqual(['[REDACTED:private-key]', '[REDACTED:private-key]', '[REDACTED:private-key] done, mail [REDACTED:email]']);
  });

  it('[LOG-05] treats a whole key on one line like redactText does', () => {
    expect(redactAll('key -----BEGIN PRIVATE KEY-----MIIE-----END PRIVATE KEY----- next\nplain')).toEqual([
      'key [REDACTED:private-key] next',
      'plain',
    ]);
  });

  it('[LOG-05] leaves certificates, which are public, alone', () => {
    const text = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----';
    expect(redactAll(text)).toEqual(text.split('\n'));
  });
});
