import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/** Authenticator-data flags (WebAuthn §6.1): user present, user verified, attested credential data included. */
export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;
export const FLAG_AT = 0x40;

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');

function counterBytes(counter: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(counter);
  return bytes;
}

/** Where a ceremony happens, as the browser would report it; tests lie here to play a phishing site. */
export interface CeremonySite {
  origin: string;
  rpId: string;
}

export interface AssertionOptions {
  /** The signature counter to report; by default one more than the last. */
  counter?: number;
  flags?: number;
  /** Sign with this key instead of the credential's own. */
  signingKey?: KeyObject;
}

/**
 * A passkey authenticator in software: an ES256 key pair from node:crypto, a resident
 * credential, and the byte layouts of WebAuthn Level 3 (clientDataJSON, authenticator data,
 * a "none" attestation object, an assertion signature over authData ‖ SHA-256(clientDataJSON)).
 * It shares no code with the server's verifier beyond a CBOR encoder.
 */
export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(32);
  readonly #privateKey: KeyObject;
  readonly #cosePublicKey: Uint8Array;
  counter = 0;
  /** The user handle the server gave at registration, returned with every assertion as a resident credential does. */
  userHandle: string | undefined;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    // COSE_Key (RFC 9053): kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
    this.#cosePublicKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]),
    );
  }

  static otherKey(): KeyObject {
    return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  }

  /** navigator.credentials.create(): the RegistrationResponseJSON a browser would send. */
  register(options: { challenge: string; user: { id: string } }, site: CeremonySite, flags = FLAG_UP | FLAG_UV | FLAG_AT) {
    this.userHandle = options.user.id;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      sha256(site.rpId),
      Buffer.from([flags]),
      counterBytes(this.counter),
      Buffer.alloc(16), // AAGUID: all zero for a "none" attestation
      idLength,
      this.credentialId,
      this.#cosePublicKey,
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, never>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, never>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    const clientDataJSON = JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: site.origin, crossOrigin: false });
    return {
      id: b64url(this.credentialId),
      rawId: b64url(this.credentialId),
      type: 'public-key',
      response: { clientDataJSON: b64url(Buffer.from(clientDataJSON)), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get(): the AuthenticationResponseJSON a browser would send. */
  assert(options: { challenge: string }, site: CeremonySite, assertion: AssertionOptions = {}) {
    const counter = assertion.counter ?? this.counter + 1;
    this.counter = Math.max(this.counter, counter);
    const authData = Buffer.concat([sha256(site.rpId), Buffer.from([assertion.flags ?? FLAG_UP | FLAG_UV]), counterBytes(counter)]);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: site.origin, crossOrigin: false }));
    // ECDSA over SHA-256, DER-encoded, as WebAuthn carries ES256 signatures.
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), assertion.signingKey ?? this.#privateKey);
    return {
      id: b64url(this.credentialId),
      rawId: b64url(this.credentialId),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
