import { Resolver } from 'node:dns/promises';

/** Where the owner of a domain publishes the value that proves it. */
export function challengeName(domain: string): string {
  return `_enclave-challenge.${domain}`;
}

/** Looks up TXT records; `undefined` means the lookup itself failed (no answer from DNS), not that no record exists. */
export type TxtLookup = (name: string) => Promise<string[] | undefined>;

/** Answers that mean "this name has no such record", as opposed to a resolver that could not be reached. */
const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

/**
 * TXT lookups through node:dns with the servers the operator configured (or the system's),
 * a short timeout and one retry, so a verify request never hangs on a dead resolver.
 * A TXT record may come in several strings; they form one value.
 */
export function txtLookup(servers: readonly string[]): TxtLookup {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  return async (name) => {
    try {
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (error) {
      if (NO_RECORD.has((error as NodeJS.ErrnoException).code ?? '')) return [];
      return undefined;
    }
  };
}
