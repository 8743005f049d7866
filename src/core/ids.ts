import { randomUUID } from 'node:crypto';

/**
 * Ids are a kind prefix plus a random UUID's 32 hex digits (122 random bits): safe as file
 * names and in URLs. randomUUID draws from a cached entropy pool, which matters for the
 * request id minted on every request; ids name things, they never grant access.
 */
const ID_PATTERN = /^([a-z]{2,5})_[0-9a-f]{32}$/;

export type IdKind = 'ws' | 'key' | 'evt' | 'req' | 'inv' | 'cred' | 'alrt' | 'sso' | 'scim' | 'agt' | 'apt' | 'pk' | 'exp' | 'wf' | 'run' | 'mcpt';

export function newId(kind: IdKind): string {
  return `${kind}_${randomUUID().replaceAll('-', '')}`;
}

export function isId(kind: IdKind, value: string): boolean {
  const match = ID_PATTERN.exec(value);
  return match !== null && match[1] === kind;
}

export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${kind}_[0-9a-f]{32}$`);
}
