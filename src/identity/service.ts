import { createHmac } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { hashToken } from '../core/tokens.ts';
import type { Auth, AuthLog } from './auth.ts';
import { serializeSessionCookie, type SessionCookie } from './cookie.ts';
import type { SignInInput, SignUpInput, User } from './schema.ts';
import { isAccountDisabled } from './account-store.ts';
import { listLinks } from './federated-store.ts';
import { deleteSession, markSessionPending, sealNewSession } from './session-store.ts';
import { SignInLockout, type LockoutPolicy } from './sign-in-lockout.ts';
import { findUserByEmail, findUserById, type UserRow } from './user-store.ts';
import type { EmailVerificationService } from './verification.ts';

/** One browser request handed to better-auth: where it arrived, the headers it may see, who asked. */
export interface AuthCall {
  /** The public origin the request reached; better-auth builds URLs and checks origins against it. */
  origin: string;
  /** Only the browser headers better-auth needs (cookie, origin, referer, user agent, fetch metadata). */
  headers: Record<string, string>;
  meta: RequestMeta;
  log: AuthLog;
}

export interface SignedIn {
  user: User;
  /** True when the account has MFA: the cookie then names a sign-in that still owes its second factor. */
  secondFactorPending: boolean;
  /** Set-Cookie lines: the new session cookie. */
  setCookies: string[];
}

export interface IdentityServiceDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  secret: string;
  cookie: SessionCookie;
  publicUrl: string | undefined;
  idleTimeoutSeconds: number;
  allowSignUp: boolean;
  lockout: LockoutPolicy;
  /** Whether the account has a confirmed second factor (IDN-04). */
  hasSecondFactor: (userId: string) => boolean;
  /** The mails better-auth asks for at sign-up (IDN-01). */
  accountMail?: Pick<EmailVerificationService, 'sendVerification' | 'notifyExisting'>;
}

/** A session opened outside better-auth's handler, and the cookie that carries it. */
export interface OpenedSession {
  user: User;
  secondFactorPending: boolean;
  setCookie: string;
}

/** How long a password-only sign-in of an MFA account waits for its second factor. */
export const SECOND_FACTOR_WINDOW_SECONDS = 300;

/** better-auth reads the client address from this header only, set from Fastify's `request.ip`. */
const CLIENT_IP_HEADER = 'x-enclave-client-ip';

interface AuthAnswer {
  status: number;
  setCookies: string[];
  body: unknown;
}

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, emailVerified: row.emailVerified === 1, createdAt: row.createdAt };
}

/**
 * Accounts and sign-in, through better-auth. Browser calls go through better-auth's own
 * request handler (its origin check and hooks included), and its answers are turned into
 * Enclave's: never its raw body, which holds the session token that the HttpOnly cookie
 * exists to keep away from scripts.
 */
export class IdentityService {
  readonly #deps: IdentityServiceDeps;
  readonly #calls = new AsyncLocalStorage<AuthCall>();
  readonly #lockout: SignInLockout;
  #auth: Promise<Auth> | undefined;

  constructor(deps: IdentityServiceDeps) {
    this.#deps = deps;
    this.#lockout = new SignInLockout(deps.controlDb, deps.lockout);
  }

  /** Loaded on first use: better-auth takes most of a second to import, which CLI commands that never sign anyone in should not pay. */
  #instance(): Promise<Auth> {
    const deps = this.#deps;
    this.#auth ??= import('./auth.ts').then(({ createAuth }) =>
      createAuth({
        db: deps.controlDb,
        secret: deps.secret,
        baseURL: deps.publicUrl ? new URL(deps.publicUrl).origin : undefined,
        cookie: deps.cookie,
        clientIpHeader: CLIENT_IP_HEADER,
        idleTimeoutSeconds: deps.idleTimeoutSeconds,
        allowSignUp: deps.allowSignUp,
        log: () => this.#calls.getStore()?.log,
        // better-auth calls these inside the sign-up request, so its call is at hand.
        signUpMail: {
          created: (user) => this.#withCall((call) => deps.accountMail?.sendVerification(user, call)),
          existing: (user) => this.#withCall((call) => deps.accountMail?.notifyExisting(user, call)),
        },
      }),
    );
    return this.#auth;
  }

  /**
   * Signing up with an address that already has an account answers exactly like a new
   * one, so sign-up cannot be used to find out who has an account (ASVS 6.3.8).
   */
  async signUp(input: SignUpInput, call: AuthCall): Promise<void> {
    if (!this.#deps.allowSignUp) throw new AppError(403, 'sign_up_disabled', 'accounts are created by an operator on this server');
    const answer = await this.#forward('/sign-up/email', input, call);
    if (answer.status !== 200) throw authError(answer);
  }

  /**
   * An unknown address and a wrong password get the same answer (ASVS 6.3.8); better-auth
   * hashes the password either way, so they take about as long too. Both are audited.
   */
  async signIn(input: SignInInput, call: AuthCall): Promise<SignedIn> {
    const subject = this.emailDigest(input.email.toLowerCase());
    this.#lockout.assertOpen(subject);
    const answer = await this.#forward('/sign-in/email', input, call);
    const signedIn = answer.status === 200 ? this.#signedIn(answer.body, 'password') : undefined;
    if (!signedIn) {
      // 200 without a session: a disabled account (IDN-06), answered exactly like a wrong password.
      if (answer.status === 401 || answer.status === 200) {
        const target = { type: 'email_digest', id: subject };
        const outcome = this.#lockout.recordFailure(subject);
        const reason = answer.status === 200 ? { reason: 'account_disabled' } : {};
        await this.#deps.controlAudit.record(auditEvent(call.meta, 'user.sign_in', target, { failures: outcome.failures, ...reason }, 'failure'));
        if (outcome.lockedUntil) {
          await this.#deps.controlAudit.record(
            auditEvent(call.meta, 'user.sign_in.locked', target, { failures: outcome.failures, lockedUntil: outcome.lockedUntil.toISOString() }, 'denied'),
          );
        }
        throw new AppError(401, 'invalid_credentials', 'the email address or password is not correct');
      }
      throw authError(answer);
    }
    this.#lockout.recordSuccess(subject);
    const actor = { type: 'user' as const, id: signedIn.user.id, sessionId: signedIn.sessionId };
    const details = { sessionId: actor.sessionId, ...(signedIn.pending ? { secondFactor: 'pending' } : {}) };
    await this.#deps.controlAudit.record(auditEvent({ ...call.meta, actor }, 'user.sign_in', { type: 'user', id: actor.id }, details));
    if (!signedIn.pending) return { user: signedIn.user, secondFactorPending: false, setCookies: answer.setCookies };
    const { cookie, secret } = this.#deps;
    return {
      user: signedIn.user,
      secondFactorPending: true,
      setCookies: [serializeSessionCookie(cookie, signedIn.token, secret, SECOND_FACTOR_WINDOW_SECONDS)],
    };
  }

  /** Re-authentication before changing factors: the account's current password. */
  async verifyPassword(userId: string, password: string): Promise<boolean> {
    const context = await (await this.#instance()).$context;
    const account = (await context.internalAdapter.findAccounts(userId)).find((candidate) => candidate.providerId === 'credential');
    return account?.password ? context.password.verify({ hash: account.password, password }) : false;
  }

  /**
   * A new password through better-auth's own hasher (IDN-01), for an account that has one
   * already; false for an account without a password (SSO- or directory-only), which a
   * reset must not give one.
   */
  async setPassword(userId: string, password: string): Promise<boolean> {
    const context = await (await this.#instance()).$context;
    const account = (await context.internalAdapter.findAccounts(userId)).find((candidate) => candidate.providerId === 'credential');
    if (!account?.password) return false;
    await context.internalAdapter.updateAccount(account.id, { password: await context.password.hash(password) });
    return true;
  }

  /**
   * A session for someone who proved who they are outside better-auth's handler (a magic
   * link): created by better-auth, then sealed, held for a second factor and audited
   * exactly as a password sign-in is. `multiFactor` says the proof was already two factors
   * in one (a passkey with user verification, IDN-07): the session is then full at once.
   */
  async openSession(
    userId: string,
    meta: RequestMeta,
    method: string,
    auditDetails: Record<string, unknown> = {},
    options: { multiFactor?: boolean } = {},
  ): Promise<OpenedSession> {
    if (isAccountDisabled(this.#deps.controlDb, userId)) {
      await this.#deps.controlAudit.record(auditEvent(meta, 'user.sign_in', { type: 'user', id: userId }, { ...auditDetails, method, reason: 'account_disabled' }, 'failure'));
      throw new AppError(403, 'account_disabled', 'this account is disabled; ask your organisation’s administrator');
    }
    const context = await (await this.#instance()).$context;
    const created = await context.internalAdapter.createSession(userId, false, { ipAddress: meta.ip ?? '', userAgent: meta.userAgent ?? '' });
    const signedIn = this.#signedIn({ token: created.token }, method, options.multiFactor === true);
    if (!signedIn) throw new Error('the new session could not be sealed');
    const actor = { type: 'user' as const, id: userId, sessionId: signedIn.sessionId };
    const details = { ...auditDetails, sessionId: actor.sessionId, method, ...(signedIn.pending ? { secondFactor: 'pending' } : {}) };
    await this.#deps.controlAudit.record(auditEvent({ ...meta, actor }, 'user.sign_in', { type: 'user', id: userId }, details));
    const maxAge = signedIn.pending ? SECOND_FACTOR_WINDOW_SECONDS : this.#deps.idleTimeoutSeconds;
    const { cookie, secret } = this.#deps;
    return { user: signedIn.user, secondFactorPending: signedIn.pending, setCookie: serializeSessionCookie(cookie, signedIn.token, secret, maxAge) };
  }

  /** An account whose address the operator vouches for, so it starts verified. */
  async createVerifiedUser(input: SignUpInput, meta: RequestMeta): Promise<User> {
    if (findUserByEmail(this.#deps.controlDb, input.email)) {
      throw new AppError(409, 'email_taken', 'an account with this email address already exists');
    }
    const context = await (await this.#instance()).$context;
    const hash = await context.password.hash(input.password);
    const created = await context.internalAdapter.createUser({ email: input.email, name: input.name, emailVerified: true }, { method: 'admin' });
    await context.internalAdapter.linkAccount({ userId: created.id, providerId: 'credential', accountId: created.id, password: hash });
    await this.#deps.controlAudit.record(auditEvent(meta, 'user.create', { type: 'user', id: created.id }, { emailVerified: true }));
    return this.user(created.id)!;
  }

  user(id: string): User | undefined {
    const row = findUserById(this.#deps.controlDb, id);
    return row ? toUser(row) : undefined;
  }

  userByEmail(email: string): User | undefined {
    const row = findUserByEmail(this.#deps.controlDb, email.toLowerCase());
    return row ? toUser(row) : undefined;
  }

  /** DAT-01: the sign-in methods linked to the account (password, OpenID and SSO providers), for its owner's export. */
  linkedIdentities(userId: string): { provider: string; subject: string; createdAt: string }[] {
    return listLinks(this.#deps.controlDb, userId);
  }

  async #forward(path: string, body: unknown, call: AuthCall): Promise<AuthAnswer> {
    const request = new Request(new URL(`/api/auth${path}`, call.origin), {
      method: 'POST',
      headers: { ...call.headers, 'content-type': 'application/json', ...(call.meta.ip ? { [CLIENT_IP_HEADER]: call.meta.ip } : {}) },
      body: JSON.stringify(body),
    });
    const auth = await this.#instance();
    const response = await this.#calls.run(call, () => auth.handler(request));
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // A non-JSON answer is only ever judged by its status.
    }
    return { status: response.status, setCookies: response.headers.getSetCookie(), body: parsed };
  }

  /**
   * The account and session better-auth just created. Its token goes no further than the
   * cookie better-auth set: the stored copy is replaced by its hash here.
   */
  #signedIn(body: unknown, method: string, multiFactor = false): { user: User; sessionId: string; token: string; pending: boolean } | undefined {
    const token = (body as { token?: unknown } | null)?.token;
    if (typeof token !== 'string') return undefined;
    const db = this.#deps.controlDb;
    const session = sealNewSession(db, token, hashToken(token));
    const user = session ? this.user(session.userId) : undefined;
    if (!session || !user) return undefined;
    // IDN-06: a disabled account gets no session; the one better-auth just made goes at once.
    if (isAccountDisabled(db, user.id)) {
      deleteSession(db, session.id, user.id);
      return undefined;
    }
    // In the same synchronous step as the sealing, so no request ever sees this session whole.
    const pending = !multiFactor && this.#deps.hasSecondFactor(user.id);
    if (pending) markSessionPending(db, session.id, new Date(Date.now() + SECOND_FACTOR_WINDOW_SECONDS * 1000).toISOString(), method);
    return { user, sessionId: session.id, token, pending };
  }

  #withCall(use: (call: AuthCall) => void): void {
    const call = this.#calls.getStore();
    if (call) use(call);
  }

  /** Audit events name an address that may have no account by this digest: never stored, yet attempts on one address can be grouped. */
  emailDigest(email: string): string {
    return createHmac('sha256', this.#deps.secret).update(`sign-in:${email}`).digest('hex');
  }
}

/** better-auth's client errors keep their status with a stable code; anything else is an internal error. */
function authError(answer: AuthAnswer): Error {
  if (answer.status < 400 || answer.status >= 500) return new Error(`better-auth answered ${answer.status}`);
  const body = answer.body as { code?: unknown; message?: unknown } | null;
  const code = typeof body?.code === 'string' && /^[A-Z0-9_]{1,64}$/.test(body.code) ? body.code.toLowerCase() : 'auth_request_refused';
  const message = typeof body?.message === 'string' ? body.message.slice(0, 200) : 'the request could not be processed';
  return new AppError(answer.status, code, message);
}
