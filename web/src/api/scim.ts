import { call } from './client.ts';

/** A workspace's SCIM token as listed: never its secret (IDN-06). */
export interface ScimToken {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedScimToken {
  scimToken: ScimToken;
  /** Shown exactly once. */
  token: string;
}

/** An owner's SCIM tokens, through their session (the section is shown to signed-in owners only). */
export class ScimTokensClient {
  readonly #base: string;

  constructor(workspaceId: string) {
    this.#base = `/api/w/${encodeURIComponent(workspaceId)}/scim/tokens`;
  }

  async list(): Promise<ScimToken[]> {
    return (await call<{ scimTokens: ScimToken[] }>(this.#base)).scimTokens;
  }

  create(name: string): Promise<CreatedScimToken> {
    return call(this.#base, { method: 'POST', body: { name } });
  }

  revoke(tokenId: string): Promise<void> {
    return call(`${this.#base}/${encodeURIComponent(tokenId)}`, { method: 'DELETE' });
  }
}
