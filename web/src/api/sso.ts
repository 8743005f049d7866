import { call } from './client.ts';

/** A domain a workspace claims for single sign-on, with the TXT record that proves it (IDN-06). */
export interface SsoDomain {
  domain: string;
  txtName: string;
  txtValue: string;
  verifiedAt: string | null;
  createdAt: string;
}

export const JIT_ROLES = ['viewer', 'builder', 'admin'] as const;
export type JitRole = (typeof JIT_ROLES)[number];

interface ConnectionBase {
  id: string;
  domain: string;
  defaultRole: JitRole;
  createdAt: string;
}

/** What an owner sees of a connection: what to configure at the IdP, never its secret or certificate. */
export type SsoConnection =
  | (ConnectionBase & { protocol: 'oidc'; issuer: string; clientId: string; redirectUri: string })
  | (ConnectionBase & { protocol: 'saml'; idpEntityId: string; ssoUrl: string; idpCertificateSha256: string; spEntityId: string; acsUrl: string });

export type NewSsoConnection =
  | { protocol: 'oidc'; issuer: string; clientId: string; clientSecret: string; defaultRole: JitRole }
  | { protocol: 'saml'; idpEntityId: string; ssoUrl: string; idpCertificate: string; defaultRole: JitRole };

/** An owner's SSO settings, through their session (the section is shown to signed-in owners only). */
export class SsoSettingsClient {
  readonly #base: string;

  constructor(workspaceId: string) {
    this.#base = `/api/w/${encodeURIComponent(workspaceId)}/sso`;
  }

  overview(): Promise<{ domains: SsoDomain[]; connections: SsoConnection[] }> {
    return call(this.#base);
  }

  addDomain(domain: string): Promise<SsoDomain> {
    return call(`${this.#base}/domains`, { method: 'POST', body: { domain } });
  }

  verifyDomain(domain: string): Promise<SsoDomain> {
    return call(`${this.#base}/domains/${encodeURIComponent(domain)}/verify`, { method: 'POST' });
  }

  removeDomain(domain: string): Promise<void> {
    return call(`${this.#base}/domains/${encodeURIComponent(domain)}`, { method: 'DELETE' });
  }

  connect(domain: string, connection: NewSsoConnection): Promise<SsoConnection> {
    return call(`${this.#base}/domains/${encodeURIComponent(domain)}/connections`, { method: 'POST', body: connection });
  }

  disconnect(connectionId: string): Promise<void> {
    return call(`${this.#base}/connections/${encodeURIComponent(connectionId)}`, { method: 'DELETE' });
  }
}

/** Where the browser must go to sign in with the identity provider of this address's organisation. */
export async function startSso(email: string): Promise<string> {
  return (await call<{ redirect: string }>('/api/auth/sso/start', { method: 'POST', body: { email } })).redirect;
}

/** Why an SSO sign-in came back to the sign-in page (`?error=…`), by the server's stable codes; never the IdP's own words. */
export const SSO_REFUSALS: Record<string, { heading: string; explanation: string }> = {
  sso_response_invalid: {
    heading: 'Your organisation’s sign-in could not be verified',
    explanation: 'Its identity provider’s answer did not pass Enclave’s checks. Start again; if it keeps happening, tell your administrator.',
  },
  sso_request_unknown: { heading: 'That sign-in was already used or took too long', explanation: 'Start again with your work email address.' },
  sso_email_outside_domain: {
    heading: 'This address may not sign in here',
    explanation: 'Your organisation’s identity provider vouched for an address outside the domain it serves.',
  },
  sso_email_missing: { heading: 'No email address came back', explanation: 'Your organisation’s identity provider did not share your address. Ask your administrator.' },
  sso_connection_not_found: { heading: 'Single sign-on is no longer set up', explanation: 'Your organisation removed it. Sign in another way, or ask your administrator.' },
};
