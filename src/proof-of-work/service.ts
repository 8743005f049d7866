import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { hkdfSync } from 'node:crypto';
import { z } from 'zod';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import type { Keyring } from '../core/keyring.ts';
import { spendChallenge } from './store.ts';

export interface ProofOfWorkSettings {
  /** Challenges hide a random counter from 0 to this; a browser tries half of them on average. */
  maxNumber: number;
  /** How long a challenge can be solved and presented. */
  challengeSeconds: number;
}

export interface ProofOfWorkDeps {
  controlDb: SqliteDatabase;
  keyring: Keyring;
  settings: ProofOfWorkSettings;
  now?: () => Date;
}

/**
 * Plain SHA-256 with one iteration: the widget bundles it and a browser's WebCrypto runs it
 * fast, so the work is the number of counters tried, which `maxNumber` sets.
 */
const ALGORITHM = 'SHA-256';
const HEX = /^[0-9a-f]+$/;

/** What the widget sends back: the challenge as it was handed out, and the counter it found. */
const payloadSchema = z.strictObject({
  challenge: z.strictObject({
    parameters: z.strictObject({
      algorithm: z.literal(ALGORITHM),
      nonce: z.string().regex(HEX).max(64),
      salt: z.string().regex(HEX).max(64),
      cost: z.literal(1),
      keyLength: z.literal(32),
      keyPrefix: z.string().regex(HEX).max(64),
      keySignature: z.string().regex(HEX).max(128),
      expiresAt: z.number().int().positive(),
    }),
    signature: z.string().regex(HEX).max(128),
  }),
  solution: z.object({ counter: z.number().int().nonnegative(), derivedKey: z.string().max(128) }),
});

/** The challenge as handed to the widget; the same shape comes back inside its payload. */
export type ProofOfWorkChallenge = z.infer<typeof payloadSchema>['challenge'];

const failed = () => new AppError(400, 'challenge_failed', 'the proof-of-work solution is not valid or has expired; let the form solve a new challenge');

function decode(payload: string): z.infer<typeof payloadSchema> | undefined {
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * WEB-06: a self-hosted proof of work (ALTCHA, through altcha-lib) on public forms that
 * make the server do or send something. A challenge hides a random counter under an HMAC
 * signature; finding it costs a browser a moment and a bulk sender real CPU for every
 * request. The server keeps nothing per challenge until one is solved; then its signature
 * is stored until it expires, so each solution buys exactly one request.
 */
export class ProofOfWork {
  readonly #deps: ProofOfWorkDeps;
  readonly #now: () => Date;
  /** The challenge signature and the derived-key signature get separate keys, as altcha-lib asks. */
  readonly #signatureSecret: string;
  readonly #keySignatureSecret: string;

  constructor(deps: ProofOfWorkDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    // Derived from the control database key with their own HKDF info strings, like the other
    // control-plane secrets (src/identity/secret.ts): independent of it and of each other.
    const derive = (info: string) =>
      Buffer.from(hkdfSync('sha256', deps.keyring.controlKey('db'), 'enclave:control', `enclave:control:${info}:v1`, 32)).toString('hex');
    this.#signatureSecret = derive('proof-of-work-challenge');
    this.#keySignatureSecret = derive('proof-of-work-key');
  }

  async challenge(): Promise<ProofOfWorkChallenge> {
    const { maxNumber, challengeSeconds } = this.#deps.settings;
    const created: Challenge = await createChallenge({
      algorithm: ALGORITHM,
      cost: 1,
      // Deterministic mode: the server derives the key for a random counter and signs it, so
      // checking a solution is one HMAC rather than a second derivation.
      counter: randomInt(maxNumber, 0),
      deriveKey,
      expiresAt: new Date(this.#now().getTime() + challengeSeconds * 1000),
      hmacSignatureSecret: this.#signatureSecret,
      hmacKeySignatureSecret: this.#keySignatureSecret,
    });
    const { nonce, salt, keyPrefix, keySignature, expiresAt } = created.parameters;
    // Only the fields the widget needs, so the answer's schema can be strict.
    return {
      parameters: { algorithm: ALGORITHM, nonce, salt, cost: 1, keyLength: 32, keyPrefix, keySignature: keySignature!, expiresAt: expiresAt! },
      signature: created.signature!,
    };
  }

  /**
   * Accepts a solved challenge once, or refuses: missing, then not valid (forged, altered,
   * wrong counter, expired), then spent before. Runs before anything else the route does.
   */
  async check(payload: unknown): Promise<void> {
    if (typeof payload !== 'string' || payload === '') {
      throw new AppError(400, 'challenge_required', 'this form needs a solved proof-of-work challenge (GET /api/auth/challenge)');
    }
    const decoded = payload.length <= 4096 ? decode(payload) : undefined;
    if (!decoded) throw failed();
    const { challenge, solution } = decoded;
    // A payload altcha-lib cannot even read is as invalid as a wrong one.
    const verified = await verifySolution({
      challenge,
      solution,
      deriveKey,
      hmacSignatureSecret: this.#signatureSecret,
      hmacKeySignatureSecret: this.#keySignatureSecret,
    }).then((result) => result.verified, () => false);
    // altcha-lib compares expiry with the system clock; the service's own clock decides too.
    if (!verified || challenge.parameters.expiresAt * 1000 <= this.#now().getTime()) throw failed();
    if (!spendChallenge(this.#deps.controlDb, challenge.signature, new Date(challenge.parameters.expiresAt * 1000).toISOString())) {
      throw new AppError(400, 'challenge_used', 'this proof-of-work solution was used already; let the form solve a new challenge');
    }
  }
}
