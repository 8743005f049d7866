import { generateServiceProviderMetadata, SAML, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import { serviceProviderUrls, type UsableConnection } from './connections.ts';

type SamlConnection = Extract<UsableConnection, { protocol: 'saml' }>;

/** The request ids Enclave sent to IdPs, each usable by one answer only (see store.ts `takeSamlRequest`). */
export interface SamlRequestLedger {
  remember(connectionId: string, requestId: string, issuedAt: string, bindingDigest: string): void;
  /** Consumes the id; undefined if it is unknown, used, expired or another connection's. */
  take(connectionId: string, requestId: string): SentRequest | undefined;
}

/** When a request was sent, and the digest of the browser binding it was sent for. */
export interface SentRequest {
  issuedAt: string;
  bindingDigest: string;
}

export interface SamlPolicy {
  clockSkewMs: number;
  requestMs: number;
}

/** Why an IdP's answer was refused, as a stable code for the sign-in page. */
export class SamlRefusal extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SamlRefusal';
    this.code = code;
  }
}

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const TRANSIENT_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
/** Where IdPs commonly put the address when the NameID is not it (Entra ID, ADFS). */
const EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
const NAME_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';

/**
 * node-saml's InResponseTo check asks its cache provider for the id (once for the Response,
 * again for the SubjectConfirmation) and removes it later, after other checks. Consuming the
 * row on the first ask instead, and answering later asks from memory, makes a request id
 * single-use even when two copies of one answer race; removal then has nothing left to do.
 */
function consumingCache(ledger: SamlRequestLedger, connectionId: string, bindingDigest: string): CacheProvider & { taken: Map<string, SentRequest | undefined> } {
  const taken = new Map<string, SentRequest | undefined>();
  return {
    taken,
    async saveAsync(key, value) {
      ledger.remember(connectionId, key, value, bindingDigest);
      return { value, createdAt: Date.now() };
    },
    async getAsync(key) {
      if (!taken.has(key)) taken.set(key, ledger.take(connectionId, key));
      return taken.get(key)?.issuedAt ?? null;
    },
    async removeAsync() {
      return null;
    },
  };
}

/**
 * The service provider for one connection, configured strictly: the Response and the
 * Assertion in it must both be signed by the certificate the owner registered (node-saml's
 * defaults, kept explicit), the audience must be this connection's entity id, the answer
 * must be to a request Enclave sent (InResponseTo, always), and validity windows are checked
 * with a small clock skew. IdP-initiated sign-in is therefore not accepted.
 */
function serviceProvider(connection: SamlConnection, origin: string, policy: SamlPolicy, cacheProvider: CacheProvider): SAML {
  const urls = serviceProviderUrls(origin, connection.id);
  return new SAML({
    issuer: urls.samlEntityId,
    audience: urls.samlEntityId,
    callbackUrl: urls.samlAcsUrl,
    entryPoint: connection.ssoUrl,
    idpCert: connection.idpCertificate,
    idpIssuer: connection.idpEntityId,
    wantAuthnResponseSigned: true,
    wantAssertionsSigned: true,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: policy.requestMs,
    acceptedClockSkewMs: policy.clockSkewMs,
    maxAssertionAgeMs: policy.requestMs,
    signatureAlgorithm: 'sha256',
    identifierFormat: EMAIL_FORMAT,
    disableRequestedAuthnContext: true,
    cacheProvider,
  });
}

/** Where to send the browser: the IdP's SSO URL with a fresh AuthnRequest (HTTP-Redirect binding), its id bound to this browser. */
export async function samlAuthorizeUrl(connection: SamlConnection, origin: string, policy: SamlPolicy, ledger: SamlRequestLedger, bindingDigest: string): Promise<URL> {
  const cache = consumingCache(ledger, connection.id, bindingDigest);
  return new URL(await serviceProvider(connection, origin, policy, cache).getAuthorizeUrlAsync('', undefined, {}));
}

export interface SamlIdentity {
  subject: string;
  email: string;
  name: string | undefined;
  /** The browser the answered request was started in (see src/oidc/browser-binding.ts). */
  bindingDigest: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Validates an IdP's POSTed SAMLResponse and returns who it vouches for, or throws a SamlRefusal. */
export async function samlIdentity(
  connection: SamlConnection,
  origin: string,
  samlResponse: string,
  policy: SamlPolicy,
  ledger: SamlRequestLedger,
): Promise<SamlIdentity> {
  let profile: Profile | null;
  // Validating sends no request, so no binding is needed for one.
  const cache = consumingCache(ledger, connection.id, '');
  try {
    ({ profile } = await serviceProvider(connection, origin, policy, cache).validatePostResponseAsync({ SAMLResponse: samlResponse }));
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/InResponseTo/i.test(message)) throw new SamlRefusal('sso_request_unknown', 'the answer is not to a pending sign-in (used, expired or never sent)');
    // node-saml's reason (bad signature, audience, expiry…) is for the server log, where an operator setting up an IdP needs it.
    throw new SamlRefusal('sso_response_invalid', `the identity provider's answer did not validate: ${message.slice(0, 200)}`);
  }
  // node-saml checks the issuer only on logout messages; the signed assertion must also name the registered IdP.
  if (!profile || profile.issuer !== connection.idpEntityId) {
    throw new SamlRefusal('sso_response_invalid', 'the assertion is not from the registered identity provider');
  }
  const email = text(profile.email) ?? text(profile[EMAIL_CLAIM]) ?? (profile.nameIDFormat === EMAIL_FORMAT ? text(profile.nameID) : undefined);
  // A transient NameID changes at every sign-in, so it cannot name an account; the address does.
  const subject = profile.nameIDFormat === TRANSIENT_FORMAT ? email : text(profile.nameID);
  if (!email || !subject) throw new SamlRefusal('sso_email_missing', 'the assertion names no email address');
  // Validation passed only if the request id was taken, so exactly one row was.
  const request = [...cache.taken.values()].find((taken) => taken !== undefined);
  if (!request) throw new SamlRefusal('sso_request_unknown', 'the answer is not to a pending sign-in (used, expired or never sent)');
  return { subject, email: email.toLowerCase(), name: text(profile.displayName) ?? text(profile[NAME_CLAIM]), bindingDigest: request.bindingDigest };
}

/** SP metadata for the IdP's administrators: entity id, ACS URL, and that assertions must be signed. */
export function samlMetadata(connectionId: string, origin: string): string {
  const urls = serviceProviderUrls(origin, connectionId);
  return generateServiceProviderMetadata({
    issuer: urls.samlEntityId,
    callbackUrl: urls.samlAcsUrl,
    identifierFormat: EMAIL_FORMAT,
    wantAssertionsSigned: true,
  });
}
