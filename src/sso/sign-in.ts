import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import { AppError } from '../core/errors.ts';
import type { FederatedIdentity } from '../identity/federated.ts';
import type { OpenedSession } from '../identity/service.ts';
import type { MemberService } from '../members/service.ts';
import { bindingMatches, newBrowserBinding } from '../oidc/browser-binding.ts';
import type { SsoConnectionService, UsableConnection } from './connections.ts';
import { SamlRefusal, samlAuthorizeUrl, samlIdentity, type SamlPolicy, type SamlRequestLedger } from './saml.ts';
import type { SamlCompletions } from './saml-requests.ts';

type OidcConnection = Extract<UsableConnection, { protocol: 'oidc' }>;

/** Who an IdP vouched for, before the address is checked against the connection's domain. */
interface VouchedIdentity {
  subject: string;
  email: string;
  name: string | undefined;
}

/** The OIDC half, through the server-wide OIDC relying party (src/oidc/). */
export interface OidcSsoFlow {
  start(connection: OidcConnection, origin: string, bindingDigest: string): Promise<URL>;
  /** Completes a callback; `connectionOf` names the connection the flow was started for (from the pending state). */
  finish(
    callbackUrl: URL,
    origin: string,
    connectionOf: (connectionId: string) => OidcConnection | undefined,
  ): Promise<VouchedIdentity & { connection: OidcConnection; bindingDigest: string | undefined }>;
}

export interface SsoSignInDeps {
  connections: Pick<SsoConnectionService, 'forDomain' | 'byId'>;
  members: Pick<MemberService, 'joinBySso'>;
  signInFederated(identity: FederatedIdentity, meta: RequestMeta): Promise<OpenedSession & { firstWithProvider: boolean }>;
  saml: { policy: SamlPolicy; ledger: SamlRequestLedger; completions: SamlCompletions };
  oidc: OidcSsoFlow;
  workspaceAudit(workspaceId: string): AuditLog;
}

/** A sign-in that ends on the sign-in page with this code, rather than a JSON error: the browser arrived by navigation. */
export class SsoSignInFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SsoSignInFailure';
    this.code = code;
  }
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

const otherBrowser = () => new SsoSignInFailure('sso_browser_mismatch', 'this sign-in was started in another browser; start again');

/**
 * Enterprise sign-in (IDN-06): the address's domain picks the workspace's connection, its
 * IdP proves who the person is, and they are signed in (MFA still applies) and, if new to
 * the workspace, made a member with the connection's default role. An IdP is trusted only
 * for its own verified domain: an address outside it is refused, so one workspace's IdP
 * can never sign someone in as an address of another organisation. Every sign-in is bound
 * to the browser that started it (src/oidc/browser-binding.ts), against login CSRF.
 */
export class SsoSignInService {
  readonly #deps: SsoSignInDeps;

  constructor(deps: SsoSignInDeps) {
    this.#deps = deps;
  }

  /** Where to send the browser, and the value its binding cookie must hold. */
  async start(email: string, origin: string): Promise<{ url: URL; browserBinding: string }> {
    const connection = this.#deps.connections.forDomain(domainOf(email));
    if (!connection) throw new AppError(404, 'sso_not_configured', 'single sign-on is not set up for this email domain');
    const binding = newBrowserBinding();
    const { saml, oidc } = this.#deps;
    const url =
      connection.protocol === 'saml'
        ? await samlAuthorizeUrl(connection, origin, saml.policy, saml.ledger, binding.digest)
        : await oidc.start(connection, origin, binding.digest);
    return { url, browserBinding: binding.value };
  }

  /**
   * The ACS step: validates the IdP's answer and the address's domain, and parks the result
   * under a single-use code. No session opens here: this request is a cross-site POST that
   * brings no cookie, so it cannot show which browser started the sign-in.
   */
  async acceptSaml(connectionId: string, samlResponse: string, origin: string, meta: RequestMeta): Promise<string> {
    const connection = this.#deps.connections.byId(connectionId);
    if (connection?.protocol !== 'saml') throw new SsoSignInFailure('sso_connection_not_found', 'no such SSO connection');
    const { policy, ledger, completions } = this.#deps.saml;
    try {
      const { bindingDigest, ...identity } = await samlIdentity(connection, origin, samlResponse, policy, ledger);
      assertInDomain(connection, identity.email);
      return completions.park({ connectionId, identity, bindingDigest });
    } catch (error) {
      throw await this.#refused(connection, error, meta);
    }
  }

  /** The same-site step after the ACS: the browser that started the sign-in claims it, and the session opens. */
  async completeSaml(code: string, cookieHeader: string | undefined, meta: RequestMeta): Promise<OpenedSession> {
    const completion = this.#deps.saml.completions.claim(code);
    const connection = completion && this.#deps.connections.byId(completion.connectionId);
    if (!completion || !connection) throw new SsoSignInFailure('sso_request_unknown', 'the answer is not to a pending sign-in');
    try {
      if (!bindingMatches(cookieHeader, completion.bindingDigest)) throw otherBrowser();
      return await this.#signIn(connection, completion.identity, meta);
    } catch (error) {
      throw await this.#refused(connection, error, meta);
    }
  }

  async finishOidc(callbackUrl: URL, cookieHeader: string | undefined, origin: string, meta: RequestMeta): Promise<OpenedSession> {
    let connection: UsableConnection | undefined;
    const connectionOf = (connectionId: string) => {
      const found = this.#deps.connections.byId(connectionId);
      connection = found;
      return found?.protocol === 'oidc' ? found : undefined;
    };
    try {
      const vouched = await this.#deps.oidc.finish(callbackUrl, origin, connectionOf);
      if (!bindingMatches(cookieHeader, vouched.bindingDigest)) throw otherBrowser();
      assertInDomain(vouched.connection, vouched.email);
      return await this.#signIn(vouched.connection, vouched, meta);
    } catch (error) {
      if (connection) throw await this.#refused(connection, error, meta);
      // No pending sign-in named a connection: nothing to record in any workspace.
      throw error instanceof AppError ? new SsoSignInFailure(error.code, error.message) : error;
    }
  }

  async #signIn(connection: UsableConnection, identity: VouchedIdentity, meta: RequestMeta): Promise<OpenedSession> {
    // The workspace proved it runs this domain's DNS, and so its mail: its IdP's word on an address there counts as verification.
    const opened = await this.#deps.signInFederated(
      { provider: `sso:${connection.id}`, subject: identity.subject, email: identity.email, emailVerified: true, ...(identity.name ? { name: identity.name } : {}) },
      meta,
    );
    const workspaceId = connection.workspaceId;
    // Just-in-time membership on the first sign-in through this connection only: someone a
    // manager or SCIM removed later must not be added back by signing in again.
    if (opened.firstWithProvider) await this.#deps.members.joinBySso(workspaceId, opened.user.id, connection.defaultRole, connection.id, meta);
    const actor = { type: 'system' as const, id: `sso:${connection.id}` };
    await this.#deps.workspaceAudit(workspaceId).record(
      auditEvent({ ...meta, actor }, 'sso.sign_in', { type: 'user', id: opened.user.id }, { workspaceId, protocol: connection.protocol }),
    );
    return opened;
  }

  /** Records the refusal where the workspace's owners look, and turns it into a code for the sign-in page. */
  async #refused(connection: UsableConnection, error: unknown, meta: RequestMeta): Promise<Error> {
    const failure =
      error instanceof SsoSignInFailure || error instanceof SamlRefusal || error instanceof AppError ? new SsoSignInFailure(error.code, error.message) : undefined;
    const actor = { type: 'system' as const, id: `sso:${connection.id}` };
    const details = { workspaceId: connection.workspaceId, protocol: connection.protocol, reason: failure?.code ?? 'sso_failed' };
    await this.#deps.workspaceAudit(connection.workspaceId).record(
      auditEvent({ ...meta, actor }, 'sso.sign_in', { type: 'sso_connection', id: connection.id }, details, 'failure'),
    );
    return failure ?? (error instanceof Error ? error : new Error('SSO sign-in failed'));
  }
}

function assertInDomain(connection: UsableConnection, email: string): void {
  if (domainOf(email) !== connection.domain) {
    throw new SsoSignInFailure('sso_email_outside_domain', 'the identity provider vouched for an address outside its verified domain');
  }
}
