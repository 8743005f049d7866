import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { decodeJwt, jwtVerify, SignJWT } from 'jose';

/**
 * AGT-02: agent access tokens are JWTs signed EdDSA (Ed25519) with a key derived per
 * workspace, so a token minted for one workspace verifies under no other. jose (installed
 * with openid-client) does the JWT encoding and the claim checks (exp, nbf, iss, aud, typ,
 * alg) that are easy to get subtly wrong by hand.
 */
const ISSUER = 'urn:enclave';
const TYPE = 'at+jwt';
const KEY_VERSION = 1;

/** PKCS#8 DER header for an Ed25519 private key; the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface AgentSigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** The audience of a workspace's sync API: a token is good for that workspace's routes only. */
export function syncAudience(workspaceId: string): string {
  return `urn:enclave:workspace:${workspaceId}:sync`;
}

export function agentSigningKeys(seed: Buffer): AgentSigningKeys {
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export async function signAgentToken(keys: AgentSigningKeys, claims: { agentId: string; workspaceId: string; now: Date; seconds: number }): Promise<string> {
  const issuedAt = Math.floor(claims.now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', typ: TYPE, kid: `${claims.workspaceId}:v${KEY_VERSION}` })
    .setIssuer(ISSUER)
    .setAudience(syncAudience(claims.workspaceId))
    .setSubject(claims.agentId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + claims.seconds)
    .setJti(randomUUID())
    .sign(keys.privateKey);
}

/** The agent a token claims to be, before any check: only used to find the key to check it with. */
export function claimedAgent(token: string): string | undefined {
  try {
    const subject = decodeJwt(token).sub;
    return typeof subject === 'string' ? subject : undefined;
  } catch {
    return undefined;
  }
}

/** True when the token is signed by this workspace's key, for this workspace's sync API, for this agent, and current. */
export async function verifyAgentToken(token: string, publicKey: KeyObject, expected: { agentId: string; workspaceId: string; now: Date }): Promise<boolean> {
  try {
    const { payload } = await jwtVerify(token, publicKey, {
      algorithms: ['EdDSA'],
      issuer: ISSUER,
      audience: syncAudience(expected.workspaceId),
      typ: TYPE,
      subject: expected.agentId,
      currentDate: expected.now,
      requiredClaims: ['exp', 'iat', 'sub', 'aud'],
    });
    return payload.sub === expected.agentId;
  } catch {
    return false;
  }
}
