import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';

/** A signing key and its self-signed X.509 certificate, made by the openssl command line. */
export interface SigningIdentity {
  certificate: string;
  privateKey: string;
}

export function selfSignedCertificate(commonName: string): SigningIdentity {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-idp-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
      '-subj', `/CN=${commonName}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { certificate: readFileSync(join(dir, 'cert.pem'), 'utf8'), privateKey: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What an AuthnRequest (HTTP-Redirect binding) asked for. */
export interface AuthnRequest {
  id: string;
  acsUrl: string;
  issuer: string;
}

export function readAuthnRequest(redirect: string): AuthnRequest {
  const encoded = new URL(redirect).searchParams.get('SAMLRequest');
  if (!encoded) throw new Error('no SAMLRequest in the redirect');
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  const attribute = (name: string) => new RegExp(`\\s${name}="([^"]+)"`).exec(xml)?.[1];
  const issuer = /<saml:Issuer[^>]*>([^<]+)<\/saml:Issuer>/.exec(xml)?.[1];
  if (!attribute('ID') || !attribute('AssertionConsumerServiceURL') || !issuer) throw new Error(`unexpected AuthnRequest: ${xml}`);
  return { id: attribute('ID')!, acsUrl: attribute('AssertionConsumerServiceURL')!, issuer };
}

export interface ResponseOptions {
  email: string;
  name?: string;
  /** Which parts carry a signature; the default, like most IdPs configured strictly, is both. */
  sign?: 'both' | 'assertion' | 'response' | 'none';
  /** Sign with this key instead of the IdP's own (a forger's). */
  signWith?: SigningIdentity;
  audience?: string;
  issuer?: string;
  inResponseTo?: string;
  notOnOrAfter?: Date;
  /** Changes the signed XML afterwards, as an attacker in the middle would. */
  tamper?: (xml: string) => string;
}

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function sign(xml: string, element: 'Response' | 'Assertion', key: SigningIdentity): string {
  const signer = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificate,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  const path = element === 'Response' ? "/*[local-name(.)='Response']" : "//*[local-name(.)='Assertion']";
  signer.addReference({
    xpath: path,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  signer.computeSignature(xml, { location: { reference: `${path}/*[local-name(.)='Issuer']`, action: 'after' } });
  return signer.getSignedXml();
}

/**
 * A SAML 2.0 identity provider in the test: it reads Enclave's AuthnRequest and answers with
 * a real Response, signed with xml-crypto (an XML-DSig implementation other than the one
 * node-saml verifies with), as the browser would POST it to the ACS.
 */
export class TestSamlIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly key: SigningIdentity;

  constructor(entityId = 'https://idp.example.test/saml', ssoUrl = 'https://idp.example.test/sso') {
    this.entityId = entityId;
    this.ssoUrl = ssoUrl;
    this.key = selfSignedCertificate('Enclave test IdP');
  }

  /** The base64 SAMLResponse answering the AuthnRequest in Enclave's redirect. */
  respond(redirect: string, options: ResponseOptions): string {
    const request = readAuthnRequest(redirect);
    const now = new Date();
    const notOnOrAfter = (options.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
    const notBefore = new Date(now.getTime() - 60_000).toISOString();
    const inResponseTo = escape(options.inResponseTo ?? request.id);
    const issuer = `<saml:Issuer>${escape(options.issuer ?? this.entityId)}</saml:Issuer>`;
    const email = escape(options.email);
    const nameAttribute = options.name
      ? `<saml:Attribute Name="displayName"><saml:AttributeValue>${escape(options.name)}</saml:AttributeValue></saml:Attribute>`
      : '';
    const assertion =
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a${randomUUID().replaceAll('-', '')}" Version="2.0" IssueInstant="${now.toISOString()}">` +
      issuer +
      '<saml:Subject>' +
      `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${email}</saml:NameID>` +
      '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
      `<saml:SubjectConfirmationData InResponseTo="${inResponseTo}" NotOnOrAfter="${notOnOrAfter}" Recipient="${escape(request.acsUrl)}"/>` +
      '</saml:SubjectConfirmation></saml:Subject>' +
      `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}">` +
      `<saml:AudienceRestriction><saml:Audience>${escape(options.audience ?? request.issuer)}</saml:Audience></saml:AudienceRestriction>` +
      '</saml:Conditions>' +
      `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="_s${randomUUID().replaceAll('-', '')}">` +
      '<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>' +
      '</saml:AuthnStatement>' +
      `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>${email}</saml:AttributeValue></saml:Attribute>${nameAttribute}</saml:AttributeStatement>` +
      '</saml:Assertion>';
    const key = options.signWith ?? this.key;
    const mode = options.sign ?? 'both';
    const signedAssertion = mode === 'both' || mode === 'assertion' ? sign(assertion, 'Assertion', key) : assertion;
    let response =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomUUID().replaceAll('-', '')}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${escape(request.acsUrl)}" InResponseTo="${inResponseTo}">` +
      issuer +
      '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
      signedAssertion.replace(/^<\?xml[^>]*>/, '') +
      '</samlp:Response>';
    if (mode === 'both' || mode === 'response') response = sign(response, 'Response', key);
    if (options.tamper) response = options.tamper(response);
    return Buffer.from(response, 'utf8').toString('base64');
  }
}
