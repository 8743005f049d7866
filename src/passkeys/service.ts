import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { COSEALG } from '@simplewebauthn/server/helpers';
import type { RequestMeta, UserMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { hashToken, newSecret } from '../core/tokens.ts';
import type { IdentityService, OpenedSession } from '../identity/service.ts';
import type { SessionService } from '../identity/sessions.ts';
import { relyingParty } from './relying-party.ts';
import type { AuthenticationResponse, Passkey, RegistrationResponse } from './schema.ts';
import {
  deleteExpiredChallenges,
  deletePasskey,
  findPasskeyByCredentialId,
  insertPasskey,
  listPasskeys,
  liveAuthenticationChallenges,
  recordPasskeyUse,
  renamePasskey,
  saveAuthenticationChallenge,
  saveRegistrationChallenge,
  takeAuthenticationChallenge,
  takeRegistrationChallenge,
  type PasskeyRow,
} from './store.ts';

export interface PasskeyServiceDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  identity: Pick<IdentityService, 'user' | 'openSession'>;
  sessions: Pick<SessionService, 'revokeOthers'>;
  /** The current password again, counted towards its own lockout: the MFA service's re-authentication (src/mfa/). */
  reauthenticate(meta: UserMeta, password: string): Promise<void>;
  now?: () => Date;
}

/** How long a ceremony may take, in the browser's timeout and in the challenge's life. */
const CEREMONY_SECONDS = 300;
/** Sign-in ceremonies anyone may start; far above real use, it bounds what a flood of them can store. */
const MAX_LIVE_SIGN_IN_CEREMONIES = 10_000;
/** The same list at registration and verification: EdDSA, ES256, RS256. */
const ALGORITHMS = [COSEALG.EdDSA, COSEALG.ES256, COSEALG.RS256];
const DEFAULT_NAME = 'Passkey';

/** The WebAuthn user handle: the account id's bytes, which name no one and let an assertion be checked against its credential's owner. */
function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

function transportsOf(row: PasskeyRow): AuthenticatorTransport[] {
  return JSON.parse(row.transports) as AuthenticatorTransport[];
}

function toPasskey(row: PasskeyRow): Passkey {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    deviceType: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backedUp: row.backed_up === 1,
    transports: transportsOf(row),
  };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 300) : 'verification failed';
}

/** Every refused passkey sign-in gets this one answer, whatever the reason, so the answer tells nothing about accounts or credentials. */
const notAccepted = () => new AppError(401, 'passkey_not_accepted', 'that passkey could not sign you in');

/**
 * Passkeys (IDN-07): WebAuthn credentials with user verification, a phishing-resistant
 * factor. Ceremonies are checked by @simplewebauthn/server against the public origin and
 * its host name as RP ID, so an assertion made for any other site is refused.
 *
 * Not @better-auth/passkey: its endpoints find the signed-in person through better-auth's
 * own session lookup, while Enclave's sessions are stored hashed and resolved by its own
 * session layer (src/identity/sessions.ts), so they would never see a session.
 *
 * Adding or removing a passkey changes the account's factors: like MFA changes it needs
 * the password again and ends the person's other sessions. A passkey sign-in with user
 * verification is two factors in one (the device, unlocked by PIN or biometrics), so it
 * opens a full session even for an account with a second factor.
 */
export class PasskeyService {
  readonly #deps: PasskeyServiceDeps;
  readonly #now: () => Date;

  constructor(deps: PasskeyServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  list(userId: string): Passkey[] {
    return listPasskeys(this.#deps.controlDb, userId).map(toPasskey);
  }

  /** Starts adding a passkey: needs the password, and the challenge is bound to the session that asked. */
  async registrationOptions(meta: UserMeta, password: string, publicOrigin: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const rp = relyingParty(publicOrigin);
    await this.#deps.reauthenticate(meta, password);
    const db = this.#deps.controlDb;
    const user = this.#deps.identity.user(meta.actor.id);
    if (!user) throw new AppError(401, 'unauthenticated', 'sign in first');
    const options = await generateRegistrationOptions({
      rpName: rp.name,
      rpID: rp.id,
      userName: user.email,
      userDisplayName: user.name,
      userID: userHandle(user.id),
      timeout: CEREMONY_SECONDS * 1000,
      attestationType: 'none',
      // The same authenticator twice would only be one factor listed twice.
      excludeCredentials: listPasskeys(db, user.id).map((row) => ({ id: row.credential_id, transports: transportsOf(row) })),
      // Discoverable, so sign-in needs no address first (and so reveals no accounts); verified, so it is two factors.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: ALGORITHMS,
    });
    const now = this.#now();
    deleteExpiredChallenges(db, now.toISOString());
    saveRegistrationChallenge(db, {
      sessionId: meta.actor.sessionId,
      userId: user.id,
      challenge: options.challenge,
      expiresAt: new Date(now.getTime() + CEREMONY_SECONDS * 1000).toISOString(),
      createdAt: now.toISOString(),
    });
    return options;
  }

  /** Finishes adding a passkey with the authenticator's answer to this session's challenge. */
  async register(meta: UserMeta, input: { name?: string | undefined; response: RegistrationResponse }, publicOrigin: string): Promise<Passkey> {
    const rp = relyingParty(publicOrigin);
    const db = this.#deps.controlDb;
    const userId = meta.actor.id;
    const now = this.#now().toISOString();
    const challenge = takeRegistrationChallenge(db, meta.actor.sessionId, userId, now);
    if (!challenge) throw new AppError(409, 'passkey_registration_not_started', 'confirm your password to start adding a passkey, then finish within 5 minutes');
    const target = { type: 'user', id: userId };
    let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>> | undefined;
    let reason = 'not verified';
    try {
      verification = await verifyRegistrationResponse({
        response: input.response as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        requireUserPresence: true,
        requireUserVerification: true,
        supportedAlgorithmIDs: ALGORITHMS,
      });
    } catch (error) {
      reason = reasonOf(error);
    }
    if (!verification?.verified) {
      await this.#deps.controlAudit.record(auditEvent(meta, 'user.passkey.register', target, { reason }, 'failure'));
      throw new AppError(400, 'passkey_not_accepted', 'the passkey could not be verified; start again');
    }
    const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
    const row = {
      id: newId('pk'),
      userId,
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey),
      counter: credential.counter,
      transports: JSON.stringify(credential.transports ?? []),
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp ? 1 : 0,
      name: input.name ?? DEFAULT_NAME,
      createdAt: now,
    };
    if (!insertPasskey(db, row)) throw new AppError(409, 'passkey_already_registered', 'this passkey is already registered');
    const ended = await this.#deps.sessions.revokeOthers(meta);
    await this.#deps.controlAudit.record(
      auditEvent(meta, 'user.passkey.register', target, { passkeyId: row.id, deviceType: row.deviceType, backedUp: credentialBackedUp, otherSessionsEnded: ended }),
    );
    return this.list(userId).find((passkey) => passkey.id === row.id)!;
  }

  async rename(meta: UserMeta, passkeyId: string, name: string): Promise<Passkey> {
    const row = renamePasskey(this.#deps.controlDb, passkeyId, meta.actor.id, name);
    if (!row) throw new AppError(404, 'passkey_not_found', 'you have no passkey with that id');
    await this.#deps.controlAudit.record(auditEvent(meta, 'user.passkey.rename', { type: 'user', id: meta.actor.id }, { passkeyId }));
    return toPasskey(row);
  }

  async remove(meta: UserMeta, passkeyId: string, password: string): Promise<void> {
    await this.#deps.reauthenticate(meta, password);
    if (!deletePasskey(this.#deps.controlDb, passkeyId, meta.actor.id)) throw new AppError(404, 'passkey_not_found', 'you have no passkey with that id');
    const ended = await this.#deps.sessions.revokeOthers(meta);
    await this.#deps.controlAudit.record(auditEvent(meta, 'user.passkey.delete', { type: 'user', id: meta.actor.id }, { passkeyId, otherSessionsEnded: ended }));
  }

  /**
   * Starts a passkey sign-in. Nobody is named: the authenticator offers its discoverable
   * credentials, so the answer is the same for everyone and reveals no account.
   */
  async authenticationOptions(publicOrigin: string): Promise<{ ceremonyId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
    const rp = relyingParty(publicOrigin);
    const db = this.#deps.controlDb;
    const now = this.#now();
    deleteExpiredChallenges(db, now.toISOString());
    if (liveAuthenticationChallenges(db, now.toISOString()) >= MAX_LIVE_SIGN_IN_CEREMONIES) {
      throw new AppError(429, 'rate_limited', 'too many passkey sign-ins are in progress; retry in a minute', { 'retry-after': '60' });
    }
    const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: 'required', timeout: CEREMONY_SECONDS * 1000 });
    const ceremony = newSecret();
    saveAuthenticationChallenge(db, {
      ceremonyHash: ceremony.hash,
      challenge: options.challenge,
      expiresAt: new Date(now.getTime() + CEREMONY_SECONDS * 1000).toISOString(),
      createdAt: now.toISOString(),
    });
    return { ceremonyId: ceremony.secret, options };
  }

  /**
   * Finishes a passkey sign-in: the ceremony's challenge is spent first, then signature,
   * origin, RP ID, user verification and the signature counter are checked, and a full
   * session is opened for the credential's owner. Failures are audited with their reason.
   */
  async authenticate(input: { ceremonyId: string; response: AuthenticationResponse }, meta: RequestMeta, publicOrigin: string): Promise<OpenedSession> {
    const rp = relyingParty(publicOrigin);
    const db = this.#deps.controlDb;
    const now = this.#now().toISOString();
    const challenge = takeAuthenticationChallenge(db, hashToken(input.ceremonyId), now);
    const row = findPasskeyByCredentialId(db, input.response.id);
    // An unknown credential is named only by a digest of the id it presented.
    const target = row ? { type: 'user', id: row.user_id } : { type: 'passkey_credential', id: hashToken(input.response.id) };
    const refuse = async (reason: string, detail?: string) => {
      const details = { method: 'passkey', reason, ...(row ? { passkeyId: row.id } : {}), ...(detail ? { detail } : {}) };
      await this.#deps.controlAudit.record(auditEvent(meta, 'user.sign_in', target, details, 'failure'));
    };
    if (!challenge) {
      await refuse('ceremony_expired');
      throw new AppError(400, 'passkey_ceremony_expired', 'this passkey sign-in expired or was already used; start again');
    }
    if (!row) {
      await refuse('unknown_credential');
      throw notAccepted();
    }
    const handle = input.response.response.userHandle;
    if (handle !== undefined && handle !== Buffer.from(userHandle(row.user_id)).toString('base64url')) {
      await refuse('user_handle_mismatch');
      throw notAccepted();
    }
    let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verification = await verifyAuthenticationResponse({
        response: input.response as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        // The counter is checked below, after the signature, in one statement with its update:
        // the library would compare it before checking the signature and without that atomicity.
        credential: { id: row.credential_id, publicKey: new Uint8Array(row.public_key), counter: 0, transports: transportsOf(row) },
        requireUserVerification: true,
      });
    } catch (error) {
      await refuse('assertion_invalid', reasonOf(error));
      throw notAccepted();
    }
    if (!verification.verified) {
      await refuse('signature_invalid');
      throw notAccepted();
    }
    const { newCounter, credentialBackedUp } = verification.authenticationInfo;
    if (!recordPasskeyUse(db, { id: row.id, counter: newCounter, backedUp: credentialBackedUp ? 1 : 0, usedAt: now })) {
      // A valid signature with a counter that did not move forward: two copies of one key exist.
      const details = { passkeyId: row.id, storedCounter: row.counter, presentedCounter: newCounter };
      await this.#deps.controlAudit.record(auditEvent(meta, 'user.passkey.clone_suspected', target, details, 'denied'));
      await refuse('counter_not_increased');
      throw notAccepted();
    }
    return this.#deps.identity.openSession(row.user_id, meta, 'passkey', { passkeyId: row.id, userVerified: true }, { multiFactor: true });
  }
}
