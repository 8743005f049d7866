import { createHash } from 'node:crypto';

/** A challenge as GET /api/auth/challenge hands it out (ALTCHA v2, SHA-256, one iteration). */
export interface ChallengeAnswer {
  parameters: { algorithm: string; nonce: string; salt: string; cost: number; keyLength: number; keyPrefix: string; expiresAt: number; keySignature: string };
  signature: string;
}

/**
 * Solves an ALTCHA v2 challenge by brute force with node:crypto alone, written from the
 * protocol rather than with altcha-lib, so the server's library is checked by a second
 * implementation: the key for counter n is SHA-256(salt ‖ nonce ‖ n as 4 bytes big-endian),
 * and the answer is the first n whose key starts with the challenge's prefix.
 */
export function solveChallenge(challenge: ChallengeAnswer): { counter: number; derivedKey: string } {
  const { algorithm, cost, nonce, salt, keyPrefix } = challenge.parameters;
  if (algorithm !== 'SHA-256' || cost !== 1) throw new Error(`this solver knows SHA-256 with one iteration, not ${algorithm} × ${cost}`);
  const saltBytes = Buffer.from(salt, 'hex');
  const password = Buffer.concat([Buffer.from(nonce, 'hex'), Buffer.alloc(4)]);
  for (let counter = 0; counter <= 0xffffffff; counter++) {
    password.writeUInt32BE(counter, password.length - 4);
    const key = createHash('sha256').update(saltBytes).update(password).digest('hex');
    if (key.startsWith(keyPrefix)) return { counter, derivedKey: key };
  }
  throw new Error('no counter solves this challenge');
}

/** The widget's form field: the challenge as received and its solution, as base64 JSON. */
export function encodePayload(challenge: ChallengeAnswer, solution: { counter: number; derivedKey: string }): string {
  return Buffer.from(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution })).toString('base64');
}

/** Fetches a fresh challenge from the server. */
export async function fetchChallenge(baseUrl: string): Promise<ChallengeAnswer> {
  const response = await fetch(`${baseUrl}/api/auth/challenge`);
  if (response.status !== 200) throw new Error(`GET /api/auth/challenge answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ChallengeAnswer;
}

/** A fresh, solved `altcha` field for one protected request, as the dashboard's widget would send it. */
export async function solvedChallenge(baseUrl: string): Promise<string> {
  const challenge = await fetchChallenge(baseUrl);
  return encodePayload(challenge, solveChallenge(challenge));
}

/** The body with a fresh solution added. */
export async function withProofOfWork<T extends object>(baseUrl: string, body: T): Promise<T & { altcha: string }> {
  return { ...body, altcha: await solvedChallenge(baseUrl) };
}
