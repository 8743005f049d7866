import { call } from './client.ts';
import type { Role } from './types.ts';

/** What the consent screen shows about one pending authorization (src/oauth/, AIC-02, AIC-03, AIC-07). */
export interface ConsentDetails {
  client: {
    id: string;
    /** Chosen by the client itself, in its registration or metadata document: not vouched for by anyone. */
    name: string;
    uri: string | null;
    logoUri: string | null;
    /** `metadata_document`: the client id is the URL of its Client ID Metadata Document (AIC-03). */
    kind: 'registered' | 'metadata_document';
  };
  scopes: { name: string; description: string }[];
  /** The MCP endpoint the tokens will be good for (RFC 8707). */
  resource: string;
  user: { email: string };
  workspaces: { id: string; name: string; role: Role }[];
}

export type ConsentDecision = { decision: 'allow'; workspaceId: string; scopes: string[] } | { decision: 'deny' };

function interactionPath(uid: string): string {
  return `/oauth/interaction/${encodeURIComponent(uid)}`;
}

export function consentDetails(uid: string): Promise<ConsentDetails> {
  return call<ConsentDetails>(`${interactionPath(uid)}/details`);
}

/** The answer says where the browser goes next: back into the OAuth flow, and from there to the client. */
export function decideConsent(uid: string, decision: ConsentDecision): Promise<{ redirectTo: string }> {
  return call<{ redirectTo: string }>(`${interactionPath(uid)}/decision`, { method: 'POST', body: decision });
}

/** The uid of the consent screen at `pathname`, where the authorization endpoint sends the browser. */
export function consentUidAt(pathname: string): string | undefined {
  // oidc-provider's uids are URL-safe, so anything else is not a consent screen.
  return /^\/oauth\/interaction\/([A-Za-z0-9_-]+)$/.exec(pathname)?.[1];
}
