export const MASK = '[masked]';

/**
 * The secrets a step's requests carried, in every form a server commonly echoes them in:
 * as given, Base64 (Basic auth, tokens embedded in JSON Web Tokens), Base64url and URL
 * encoding. A server that transforms a secret in some other way can still leak it; that is
 * the credential owner's choice of host, and why a credential is bound to declared hosts.
 */
export class SecretMask {
  readonly #forms = new Set<string>();

  add(secrets: Iterable<string>): void {
    for (const secret of secrets) {
      if (secret.length === 0) continue;
      const bytes = Buffer.from(secret, 'utf8');
      for (const form of [secret, bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url'), encodeURIComponent(secret)]) {
        this.#forms.add(form);
      }
    }
  }

  /** Longest forms first, so a secret inside a longer form (a header value) does not leave the rest visible. */
  apply(text: string): string {
    if (this.#forms.size === 0) return text;
    let masked = text;
    for (const form of [...this.#forms].sort((a, b) => b.length - a.length)) {
      if (masked.includes(form)) masked = masked.replaceAll(form, MASK);
    }
    return masked;
  }
}

/** Masks every string (keys included) in a parsed JSON value, so a secret needing JSON escapes is caught too. */
export function maskJson(value: unknown, mask: SecretMask): unknown {
  if (typeof value === 'string') return mask.apply(value);
  if (Array.isArray(value)) return value.map((item) => maskJson(item, mask));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [mask.apply(key), maskJson(item, mask)]));
  }
  return value;
}
