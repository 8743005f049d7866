/**
 * Host rules as a node declares them: `name` (ports 80 and 443) or `name:port`, IPv6
 * literals in brackets. A request matches on hostname and port, so declaring
 * `127.0.0.1:8080` does not open every other service on that machine.
 */
const ENTRY = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,252}))(?::(\d{1,5}))?$/i;

export class HostRules {
  readonly #allowed = new Set<string>();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const match = ENTRY.exec(entry.trim());
      // An entry that does not parse allows nothing, rather than failing the whole step.
      if (!match) continue;
      const hostname = match[1]!.toLowerCase().replace(/\.$/, '');
      if (match[2] !== undefined) this.#allowed.add(`${hostname}:${Number(match[2])}`);
      else for (const port of [80, 443]) this.#allowed.add(`${hostname}:${port}`);
    }
  }

  allows(url: URL): boolean {
    return this.#allowed.has(hostKey(url));
  }
}

/** `hostname:port` with the scheme's default port filled in; WHATWG URL keeps IPv6 brackets in `hostname`. */
export function hostKey(url: URL): string {
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return `${url.hostname.toLowerCase().replace(/\.$/, '')}:${port}`;
}
