import { randomBytes } from 'node:crypto';

/** Ids are a kind prefix plus 128 random bits in hex: safe as file names and in URLs. */
const ID_PATTERN = /^([a-z]{2,5})_[0-9a-f]{32}$/;

export type IdKind = 'ws' | 'key' | 'evt' | 'req';

export function newId(kind: IdKind): string {
  return `${kind}_${randomBytes(16).toString('hex')}`;
}

export function isId(kind: IdKind, value: string): boolean {
  const match = ID_PATTERN.exec(value);
  return match !== null && match[1] === kind;
}

export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${kind}_[0-9a-f]{32}$`);
}
